package pixq.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * How an {@link OpenCvImageEngine} behaves. Immutable; start from {@link #defaults()} and change with the
 * {@code with...} methods.
 *
 * @param maxPixels      images whose header claims more pixels (width × height) are refused before decoding
 * @param maxBytes       inputs larger than this are refused; the worker enforces it while reading the blob
 * @param commands       names the {@code command} operation may run, each to its executable; never from a message
 * @param commandTimeout how long a command may run before it is killed and the job fails
 * @param resources      reads the image of an image watermark, given the path or URI in the recipe
 * @param openCvThreads  threads OpenCV may use inside one operation; 1 (default) because the worker already
 *                       runs one image per core. Note: OpenCV's setting is process-wide.
 */
public record EngineConfig(
        long maxPixels,
        long maxBytes,
        Map<String, Path> commands,
        Duration commandTimeout,
        Function<String, byte[]> resources,
        int openCvThreads) {

    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;

    public EngineConfig {
        if (maxPixels <= 0 || maxBytes <= 0 || openCvThreads < 1) {
            throw new IllegalArgumentException("maxPixels, maxBytes and openCvThreads must be positive");
        }
        commands = Map.copyOf(commands);
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(resources, "resources");
    }

    /** 100 MP, 256 MiB, no commands, 5-minute command timeout, watermarks read from local files, 1 thread. */
    public static EngineConfig defaults() {
        return new EngineConfig(DEFAULT_MAX_PIXELS, DEFAULT_MAX_BYTES, Map.of(), Duration.ofMinutes(5),
                EngineConfig::readLocalFile, 1);
    }

    public EngineConfig withMaxPixels(long n) {
        return new EngineConfig(n, maxBytes, commands, commandTimeout, resources, openCvThreads);
    }

    public EngineConfig withMaxBytes(long n) {
        return new EngineConfig(maxPixels, n, commands, commandTimeout, resources, openCvThreads);
    }

    public EngineConfig withCommands(Map<String, Path> map) {
        return new EngineConfig(maxPixels, maxBytes, map, commandTimeout, resources, openCvThreads);
    }

    public EngineConfig withCommandTimeout(Duration d) {
        return new EngineConfig(maxPixels, maxBytes, commands, d, resources, openCvThreads);
    }

    public EngineConfig withResources(Function<String, byte[]> reader) {
        return new EngineConfig(maxPixels, maxBytes, commands, commandTimeout, reader, openCvThreads);
    }

    public EngineConfig withOpenCvThreads(int n) {
        return new EngineConfig(maxPixels, maxBytes, commands, commandTimeout, resources, n);
    }

    /** A path, or a file: URI. */
    static byte[] readLocalFile(String ref) {
        Path p = ref.startsWith("file:") ? Path.of(URI.create(ref)) : Path.of(ref);
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ref + ": " + e.getMessage(), e);
        }
    }
}
