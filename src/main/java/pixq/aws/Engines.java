package pixq.aws;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import pixq.image.EngineConfig;
import pixq.image.ImageEngine;
import pixq.image.ImageException;
import pixq.image.OpenCvImageEngine;
import pixq.job.BlobException;
import pixq.job.BlobStore;
import pixq.recipe.BlobUri;

/** The image engine of the worker function and of {@code pixq worker}, configured from the environment. */
public final class Engines {
    private Engines() {}

    /** MAX_BYTES: inputs larger are refused, by the blob read and by the engine alike. */
    public static long maxBytes(Function<String, String> env) {
        return Env.longValue(env, "MAX_BYTES", EngineConfig.DEFAULT_MAX_BYTES);
    }

    /** The engine of a worker without a deadline of its own ({@code pixq worker}, the worker image's training run). */
    public static ImageEngine fromEnv(Function<String, String> env, BlobStore blobs, int parallelism) {
        return fromEnv(env, blobs, parallelism, () -> EngineConfig.NO_DEADLINE);
    }

    /**
     * MAX_PIXELS and MAX_BYTES limit inputs; COMMANDS is the command table ({@code name=/path,...}, parsed as
     * {@code --command} is), COMMAND_TIMEOUT_SECONDS their time limit (default 15 min), cut short by
     * {@code timeLeft}; watermark images are read from S3 only, never the function's disk. The {@code parallelism}
     * jobs the worker runs at once share one decode budget ({@link EngineConfig#decodeMemoryFor}).
     */
    public static ImageEngine fromEnv(Function<String, String> env, BlobStore blobs, int parallelism, Supplier<Duration> timeLeft) {
        EngineConfig defaults = EngineConfig.defaults();
        long maxBytes = maxBytes(env);
        return new OpenCvImageEngine(defaults
                .withMaxPixels(Env.longValue(env, "MAX_PIXELS", defaults.maxPixels()))
                .withMaxBytes(maxBytes)
                .withCommands(commands(env))
                .withCommandTimeout(Duration.ofSeconds(Env.longValue(env, "COMMAND_TIMEOUT_SECONDS", DEFAULT_COMMAND_TIMEOUT)))
                .withTimeLeft(timeLeft)
                .withDecodeMemory(EngineConfig.decodeMemoryFor(parallelism))
                .withResources(uri -> {
                    BlobUri.S3 at;
                    try {
                        at = BlobUri.s3(uri);
                    } catch (IllegalArgumentException e) {
                        throw new ImageException("watermark " + uri + " must be an s3:// URI");
                    }
                    try {
                        return blobs.read(at.toString(), maxBytes);
                    } catch (BlobException e) {
                        // The engine knows no storage: a read worth retrying is its own kind there.
                        throw e.retryable() ? new ImageException.Unavailable(e.getMessage(), e) : e;
                    }
                }));
    }

    /** Lambda's own limit: the function's remaining time is what really bounds a command there. */
    private static final long DEFAULT_COMMAND_TIMEOUT = 900;

    /** COMMANDS; a malformed table stops the worker at start, saying which entry is wrong. */
    static Map<String, Path> commands(Function<String, String> env) {
        try {
            return EngineConfig.parseCommands(env.apply("COMMANDS"));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("environment variable COMMANDS: " + e.getMessage(), e);
        }
    }
}
