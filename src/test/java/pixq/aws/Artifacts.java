package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs what `mvn package` built as Lambda would: sam build's makefile target, a handler in a fresh JVM. */
final class Artifacts {
    private Artifacts() {}

    record Run(int exit, String output) {}

    /** `sam build`'s BuildMethod makefile for SubmitFunction, with WorkingDirectory "." (the repo's root). */
    static Run buildSubmit(Path artifactsDir, String... makeArgs) throws Exception {
        assumeTrue(installed("make"), "make is not installed");
        List<String> command = new ArrayList<>(List.of("make", "--makefile", "functions/submit/Makefile", "build-SubmitFunction"));
        command.addAll(List.of(makeArgs));
        return run(command, Map.of("ARTIFACTS_DIR", artifactsDir.toString()));
    }

    /**
     * HandlerProbe from source in a fresh JVM (this test's own java) whose class path is only lib/*, after
     * the prefix (strace) and with the JVM options and environment given.
     */
    static Run probe(Path lib, List<String> prefix, List<String> jvm, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(List.of("-cp", lib.toAbsolutePath() + File.separator + "*", "src/test/java/pixq/aws/HandlerProbe.java"));
        command.addAll(List.of(args));
        return run(command, env);
    }

    /** Whether a tool is on PATH; under CI=true it must be (.ci/run installs it from Debian). */
    static boolean installed(String tool) {
        boolean found = Stream.of(System.getenv("PATH").split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertTrue(found, "CI=true but " + tool + " is not installed (Debian package " + tool + ")");
        }
        return found;
    }

    private static Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assumeTrue(p.waitFor(2, TimeUnit.MINUTES), "timed out: " + command);
        return new Run(p.exitValue(), output);
    }
}
