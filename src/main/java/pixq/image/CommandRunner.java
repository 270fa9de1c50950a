package pixq.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a configured executable as {@code EXE INPUT OUTPUT ARGS...} in a fresh temporary folder, and returns the
 * bytes it wrote to OUTPUT. The name comes from the recipe; the path only from {@link EngineConfig#commands()}.
 */
final class CommandRunner {
    private static final int STDERR_TAIL = 600;
    private final EngineConfig config;

    CommandRunner(EngineConfig config) {
        this.config = config;
    }

    /**
     * @param input the image's bytes, or null for a job without an input image (INPUT is then "-")
     * @param extension the input file's extension with its dot, such as ".jpg"
     */
    byte[] run(String name, byte[] input, String extension, List<String> args) {
        Path exe = config.commands().get(name);
        if (exe == null) {
            throw new ImageException("no command named '" + name + "' is configured"
                    + (config.commands().isEmpty() ? "" : " (configured: " + String.join(", ", config.commands().keySet()) + ")"));
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("pixq-command-");
            Path in = dir.resolve("input" + extension);
            Path out = dir.resolve("output.png");
            Path stderr = dir.resolve("stderr.txt");
            if (input != null) {
                Files.write(in, input);
            }
            List<String> argv = new ArrayList<>(List.of(exe.toString(), input == null ? "-" : in.toString(), out.toString()));
            argv.addAll(args);
            Process p = new ProcessBuilder(argv).directory(dir.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(stderr.toFile())
                    .start();
            if (!p.waitFor(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new ImageException("command '" + name + "' ran longer than " + config.commandTimeout().toSeconds()
                        + " s and was stopped");
            }
            if (p.exitValue() != 0) {
                throw new ImageException("command '" + name + "' failed with exit code " + p.exitValue() + tail(stderr));
            }
            if (!Files.isRegularFile(out) || Files.size(out) == 0) {
                throw new ImageException("command '" + name + "' succeeded but wrote no image to its OUTPUT path (argument 2)");
            }
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new ImageException("command '" + name + "' could not be run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("command '" + name + "' was interrupted", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static String tail(Path stderr) throws IOException {
        String text = Files.readString(stderr, StandardCharsets.UTF_8).strip();
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
