package pixq.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import pixq.recipe.BlobUri;

/**
 * How an {@link OpenCvImageEngine} behaves. Immutable; start from {@link #defaults()} and change with the
 * {@code with...} methods.
 *
 * @param maxPixels      images whose header claims more pixels (width × height) are refused before decoding
 * @param maxBytes       inputs larger than this are refused; the worker enforces it while reading the blob
 * @param commands       names the {@code command} operation may run, each to its executable; never from a message
 * @param commandTimeout how long a command may run before it is killed and the job fails
 * @param timeLeft       how long the worker itself has left (a Lambda's remaining time, less a margin to record
 *                       the failure): a command is stopped at the lesser of this and {@code commandTimeout}
 * @param resources      reads the image of an image watermark, given the path or URI in the recipe
 * @param openCvThreads  threads OpenCV may use inside one operation; 1 (default) because the worker already
 *                       runs one image per core. Note: OpenCV's setting is process-wide.
 * @param decodeMemory   bytes the decodes running at once may hold beyond their images (a progressive JPEG's
 *                       coefficients, kept whole until its last scan): a decode that would pass it waits for
 *                       another to end ({@link DecodeBudget}); one larger than it runs alone
 */
public record EngineConfig(
        long maxPixels,
        long maxBytes,
        Map<String, Path> commands,
        Duration commandTimeout,
        Supplier<Duration> timeLeft,
        Function<String, byte[]> resources,
        int openCvThreads,
        long decodeMemory) {

    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
    /**
     * Two large progressive JPEGs (45-50 MB of coefficients each for 12-13 MP) never decode at once on 2 workers,
     * while a large one and a middling one (up to 25 MB: 5-8 MP) do. 440 photos at fit 1024 (bench/RESULTS.md): at
     * 32 MB the waits took 9 % more wall time, for a peak 12 MB lower; at 40 MB the peak was 11 MB higher.
     */
    public static final long DECODE_MEMORY_PER_WORKER = 36L * 1024 * 1024;

    public EngineConfig {
        if (maxPixels <= 0 || maxBytes <= 0 || openCvThreads < 1 || decodeMemory <= 0) {
            throw new IllegalArgumentException("maxPixels, maxBytes, openCvThreads and decodeMemory must be positive");
        }
        commands = Map.copyOf(commands);
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(timeLeft, "timeLeft");
        Objects.requireNonNull(resources, "resources");
    }

    /**
     * 100 MP, 256 MiB, no commands, 5-minute command timeout, no deadline, watermarks from local files, 1 thread,
     * decode memory for 2 workers.
     */
    public static EngineConfig defaults() {
        return new EngineConfig(DEFAULT_MAX_PIXELS, DEFAULT_MAX_BYTES, Map.of(), Duration.ofMinutes(5),
                () -> NO_DEADLINE, EngineConfig::readLocalFile, 1, decodeMemoryFor(2));
    }

    /** The time left of a worker that has no deadline of its own. */
    public static final Duration NO_DEADLINE = Duration.ofSeconds(Long.MAX_VALUE);

    /**
     * The command table as {@code --command} and COMMANDS give it: {@code NAME=PATH} entries separated by commas,
     * such as {@code denoise=/opt/job/denoise.sh,detect=/opt/job/detect.py}. Blank means none. A path with a '/' is
     * taken from the current folder; a bare name ({@code magick}) is looked up on the PATH.
     *
     * @throws IllegalArgumentException naming the entry that is not NAME=PATH, or a name given twice
     */
    public static Map<String, Path> parseCommands(String table) {
        Map<String, Path> commands = new LinkedHashMap<>();
        for (String entry : table == null ? new String[0] : table.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).strip();
            String path = eq < 0 ? "" : entry.substring(eq + 1).strip();
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || path.isEmpty()) {
                throw new IllegalArgumentException("'" + entry.strip() + "' is not a command: give NAME=PATH, such as"
                        + " detect=/opt/job/detect.py (names: letters, digits, . _ -)");
            }
            // Commands run in their scratch folder: a relative path is made absolute here; a bare name stays for PATH.
            Path exe = path.contains("/") ? Path.of(path).toAbsolutePath().normalize() : Path.of(path);
            if (commands.put(name, exe) != null) {
                throw new IllegalArgumentException("command '" + name + "' is given twice");
            }
        }
        return commands;
    }

    public EngineConfig withMaxPixels(long n) {
        return new EngineConfig(n, maxBytes, commands, commandTimeout, timeLeft, resources, openCvThreads, decodeMemory);
    }

    public EngineConfig withMaxBytes(long n) {
        return new EngineConfig(maxPixels, n, commands, commandTimeout, timeLeft, resources, openCvThreads, decodeMemory);
    }

    public EngineConfig withCommands(Map<String, Path> map) {
        return new EngineConfig(maxPixels, maxBytes, map, commandTimeout, timeLeft, resources, openCvThreads, decodeMemory);
    }

    public EngineConfig withCommandTimeout(Duration d) {
        return new EngineConfig(maxPixels, maxBytes, commands, d, timeLeft, resources, openCvThreads, decodeMemory);
    }

    /** Commands stop at the lesser of their timeout and this (read when each command starts). */
    public EngineConfig withTimeLeft(Supplier<Duration> left) {
        return new EngineConfig(maxPixels, maxBytes, commands, commandTimeout, left, resources, openCvThreads, decodeMemory);
    }

    public EngineConfig withResources(Function<String, byte[]> reader) {
        return new EngineConfig(maxPixels, maxBytes, commands, commandTimeout, timeLeft, reader, openCvThreads, decodeMemory);
    }

    public EngineConfig withOpenCvThreads(int n) {
        return new EngineConfig(maxPixels, maxBytes, commands, commandTimeout, timeLeft, resources, n, decodeMemory);
    }

    public EngineConfig withDecodeMemory(long bytes) {
        return new EngineConfig(maxPixels, maxBytes, commands, commandTimeout, timeLeft, resources, openCvThreads, bytes);
    }

    /** The decode memory for this many images decoded at once. */
    public static long decodeMemoryFor(int workers) {
        return Math.max(2, workers) * DECODE_MEMORY_PER_WORKER;
    }

    /** A path, or a file: URI; anything else is refused. */
    static byte[] readLocalFile(String ref) {
        try {
            if (BlobUri.parse(ref) instanceof BlobUri.File file) {
                return Files.readAllBytes(file.path());
            }
            throw new ImageException("cannot read " + ref + ": not a local file");
        } catch (IllegalArgumentException e) {
            throw new ImageException("cannot read " + ref + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ref + ": " + e.getMessage(), e);
        }
    }
}
