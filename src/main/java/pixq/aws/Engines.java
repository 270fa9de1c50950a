package pixq.aws;

import java.util.function.Function;
import pixq.image.EngineConfig;
import pixq.image.ImageEngine;
import pixq.image.ImageException;
import pixq.image.OpenCvImageEngine;
import pixq.job.BlobStore;

/** The image engine of the worker function and of {@code pixq worker}, configured from the environment. */
public final class Engines {
    private Engines() {}

    /** MAX_BYTES: inputs larger are refused, by the blob read and by the engine alike. */
    public static long maxBytes(Function<String, String> env) {
        return Env.longValue(env, "MAX_BYTES", EngineConfig.DEFAULT_MAX_BYTES);
    }

    /** MAX_PIXELS and MAX_BYTES limit inputs; watermark images are read from S3 only, never the function's disk. */
    public static ImageEngine fromEnv(Function<String, String> env, BlobStore blobs) {
        EngineConfig defaults = EngineConfig.defaults();
        long maxBytes = maxBytes(env);
        return new OpenCvImageEngine(defaults
                .withMaxPixels(Env.longValue(env, "MAX_PIXELS", defaults.maxPixels()))
                .withMaxBytes(maxBytes)
                .withResources(uri -> {
                    if (!uri.startsWith("s3://")) {
                        throw new ImageException("watermark " + uri + " must be an s3:// URI");
                    }
                    return blobs.read(uri, maxBytes);
                }));
    }
}
