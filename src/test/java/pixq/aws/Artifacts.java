package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import pixq.job.MissingTool;

/** Runs what `mvn package` built as Lambda would: sam build's makefile target, a handler in a fresh JVM. */
public final class Artifacts {
    private Artifacts() {}

    /** A command's exit code and its output (standard output and error together). */
    public record Run(int exit, String output) {
        public Run succeeded() {
            assertEquals(0, exit, output);
            return this;
        }
    }

    /** `sam build`'s BuildMethod makefile for SubmitFunction, with WorkingDirectory "." (the repo's root). */
    static Run buildSubmit(Path artifactsDir, String... makeArgs) throws Exception {
        if (!MissingTool.onPath("make")) {
            MissingTool.skipOrFail("make is not installed (Debian package make)");
        }
        List<String> command = new ArrayList<>(List.of("make", "--makefile", "functions/submit/Makefile", "build-SubmitFunction"));
        command.addAll(List.of(makeArgs));
        return run(command, Map.of("ARTIFACTS_DIR", artifactsDir.toString()));
    }

    /** HandlerProbe from source in a fresh JVM (this test's own java) whose class path is only lib/*, in this environment. */
    static Run probe(Path lib, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", lib.toAbsolutePath() + File.separator + "*", "src/test/java/pixq/aws/HandlerProbe.java"));
        command.addAll(List.of(args));
        return run(command, env);
    }

    /** Runs a command to its end, 2 minutes at most, without the caller's JAVA_TOOL_OPTIONS, in this environment. */
    public static Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        return run(pb);
    }

    /** Starts {@code pb} and waits for its end, 2 minutes at most, its output read alongside; the whole tree killed on a timeout. */
    public static Run run(ProcessBuilder pb) throws Exception {
        List<String> command = pb.command();
        Process p = pb.start();
        // Read on the side: a child that keeps its output open (or a grandchild holding it) cannot outlast the timed wait.
        java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes());
            } catch (java.io.IOException e) {
                return "(output unreadable: " + e + ")";
            }
        });
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("timed out after 2 minutes: " + command);
        }
        return new Run(p.exitValue(), output.get(30, TimeUnit.SECONDS));
    }
}
