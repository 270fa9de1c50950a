package pixq.image;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import pixq.recipe.LauncherEnvironment;
import pixq.recipe.Operation.Command;

/**
 * Runs a configured executable in a fresh scratch folder, deleted afterwards whatever happens, as
 * {@code EXE INPUT OUT ARGS...} with PIXQ_OUTPUT_DIR (and TMPDIR) in its environment; see {@link Command} for
 * the contract. The name comes from the recipe; the path only from {@link EngineConfig#commands()}.
 */
final class CommandRunner {
    private static final int STDERR_TAIL = 600;
    /** Outputs one command may leave: each is a store call, and a job record lists them all. */
    static final int MAX_FILES = 1000;
    private final EngineConfig config;

    CommandRunner(EngineConfig config) {
        this.config = config;
    }

    /**
     * What a command left: the image the recipe goes on with (null when none was asked for), and every file
     * it wrote into PIXQ_OUTPUT_DIR as an output named {@code -<file name>}.
     */
    record Result(byte[] image, List<Rendition> files) {}

    /**
     * @param input     the image's bytes, or null for a job without an input image (INPUT is then "-")
     * @param extension the input file's extension with its dot, such as ".jpg"
     * @param jobEnv    what names the job to the command (set before pixq's own variables, which win)
     * @param wantImage true when the recipe goes on with the image the command writes to OUT; false when
     *                  the command's files are the job's outputs (OUT is then the output folder)
     */
    Result run(Command step, byte[] input, String extension, List<String> args, Map<String, String> jobEnv, boolean wantImage) {
        String name = step.name();
        Path exe = config.commands().get(name);
        if (exe == null) {
            throw new ImageException("no command named '" + name + "' is configured"
                    + (config.commands().isEmpty() ? "" : " (configured: " + String.join(", ", config.commands().keySet()) + ")"));
        }
        Path dir = null;
        Process p = null;
        CommandProcesses processes = new CommandProcesses();
        try {
            dir = Files.createTempDirectory("pixq-command-");
            Path in = dir.resolve("input" + extension);
            Path outDir = Files.createDirectory(dir.resolve("out"));
            Path image = dir.resolve("output.png");
            Path stderr = dir.resolve("stderr.txt");
            if (input != null) {
                Files.write(in, input);
            }
            Duration limit = limit();
            List<String> argv = new ArrayList<>(List.of(exe.toString(), input == null ? "-" : in.toString(),
                    (wantImage ? image : outDir).toString()));
            argv.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(stderr.toFile());
            Map<String, String> env = builder.environment();
            LauncherEnvironment.removeFrom(env);
            env.putAll(jobEnv);
            env.put("PIXQ_OUTPUT_DIR", outDir.toString());
            env.put("PIXQ_TIME_LIMIT_SECONDS", Long.toString(limit.toSeconds()));
            env.put("TMPDIR", Files.createDirectory(dir.resolve("tmp")).toString()); // its own temp files go too
            processes.mark(env);
            p = builder.start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) { // killed, with all it started, below
                throw new ImageException("command '" + name + "' ran longer than its time limit of " + limit.toSeconds()
                        + " s and was stopped" + (limit.compareTo(config.commandTimeout()) < 0
                                ? " (the worker's own time was running out: run long jobs on the long queue)" : ""));
            }
            if (p.exitValue() != 0) {
                throw new ImageException("command '" + name + "' failed with exit code " + p.exitValue() + tail(stderr));
            }
            List<Rendition> files = files(name, outDir);
            if (wantImage) {
                if (!Files.isRegularFile(image) || Files.size(image) == 0) {
                    throw new ImageException("command '" + name + "' succeeded but wrote no image to its OUTPUT path (argument 2)");
                }
                return new Result(Files.readAllBytes(image), files);
            }
            if (files.isEmpty() && step.allowEmpty() == null) {
                throw new ImageException("command '" + name + "' succeeded but wrote no file into its output folder"
                        + " (argument 2, also $PIXQ_OUTPUT_DIR); if writing nothing is a right result, the recipe says so:"
                        + " 'command " + name + " allow-empty'");
            }
            return new Result(null, files);
        } catch (IOException e) {
            throw new ImageException("command '" + name + "' could not be run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // not the job's fault: the worker is stopping, and the job runs again (an ImageException would fail it)
            throw new IllegalStateException("command '" + name + "' was interrupted: the worker is stopping", e);
        } finally {
            if (p != null) { // whether it ended, timed out or we were interrupted: nothing it started runs on
                processes.killAll(p);
            }
            deleteQuietly(dir);
        }
    }

    /** The configured timeout, or less when the worker itself has less time left; never negative. */
    private Duration limit() {
        Duration left = config.timeLeft().get();
        Duration limit = left.compareTo(config.commandTimeout()) < 0 ? left : config.commandTimeout();
        return limit.isNegative() ? Duration.ZERO : limit;
    }

    /**
     * Every file under the folder, in name order, as outputs: sub-folders joined into the name with '-'. They are
     * held in memory until stored, so together they must fit the byte limit; a link is refused, not followed.
     */
    private List<Rendition> files(String name, Path outDir) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(outDir)) {
            paths = walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        if (paths.size() > MAX_FILES) {
            throw new ImageException("command '" + name + "' wrote " + paths.size() + " files, over the limit of " + MAX_FILES
                    + " outputs for one job");
        }
        List<Rendition> files = new ArrayList<>();
        long total = 0;
        for (Path file : paths) {
            String rel = outDir.relativize(file).toString();
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageException("command '" + name + "' left " + rel + " in its output folder, which is not a"
                        + " regular file (a link, say): only files it writes become outputs");
            }
            total += Files.size(file);
            if (total > config.maxBytes()) {
                throw new ImageException("command '" + name + "' wrote " + total + " bytes or more into its output folder,"
                        + " over the limit of " + config.maxBytes() + " bytes for one job's files");
            }
            files.add(new Rendition("-" + safeName(rel), contentType(rel), Files.readAllBytes(file)));
        }
        return files;
    }

    /** A plain file name: path separators become '-', anything unusual '_', and never "..". */
    static String safeName(String relativePath) {
        String flat = relativePath.replace('/', '-').replace('\\', '-').replaceAll("[^\\p{L}\\p{N} ._+=@,()-]", "_");
        return flat.replace("..", "_.");
    }

    static String contentType(String fileName) {
        String ext = fileName.substring(fileName.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String type = switch (ext) {
            case "json" -> "application/json";
            case "csv" -> "text/csv";
            case "txt", "log" -> "text/plain";
            case "webp" -> "image/webp";
            case "avif" -> "image/avif";
            case "heic", "heif" -> "image/heic";
            default -> URLConnection.guessContentTypeFromName(fileName);
        };
        return type == null ? "application/octet-stream" : type;
    }

    /** The end of what the command printed on stderr, however much that was and whatever its encoding. */
    private static String tail(Path stderr) throws IOException {
        String text;
        try (RandomAccessFile file = new RandomAccessFile(stderr.toFile(), "r")) {
            byte[] end = new byte[(int) Math.min(file.length(), 4 * STDERR_TAIL)];
            file.seek(file.length() - end.length);
            file.readFully(end);
            text = new String(end, StandardCharsets.UTF_8).strip();
        }
        if (text.isEmpty()) {
            return " (it printed nothing on stderr)";
        }
        return ": " + (text.length() > STDERR_TAIL ? "..." + text.substring(text.length() - STDERR_TAIL) : text);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temp folder is not worth failing the job for
        }
    }
}
