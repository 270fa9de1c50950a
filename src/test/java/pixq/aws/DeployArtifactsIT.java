package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy artifacts `mvn package` builds, checked as Lambda will use them (runs after `package`):
 * `sam build`'s makefile target for the submit function gives the layout Lambda's Java runtime loads, and
 * each handler starts from its artifact alone; the worker's image content (target/worker/: lib/ and natives/,
 * functions/worker/Dockerfile's JVM options) thumbnails an image with its natives in a read-only folder, no
 * writable temporary folder, and writes no file at all (checked with strace).
 */
class DeployArtifactsIT {
    private static final Path SAMPLE = Path.of("samples/landscape.jpg");

    @TempDir
    Path scratch;

    @Test
    void samBuildMakefileTargetGivesLambdaLayoutAndTheSubmitHandlerLoadsFromItAlone() throws Exception {
        // given: how `sam build` runs BuildMethod makefile with WorkingDirectory "." (the repo's root)
        assumeTrue(installed("make"), "make is not installed");
        Path artifacts = scratch.resolve("SubmitFunction");

        // when
        Run make = run(List.of("make", "--makefile", "functions/submit/Makefile", "build-SubmitFunction"),
                Map.of("ARTIFACTS_DIR", artifacts.toString()));
        Run probe = java(artifacts.resolve("lib"), List.of("submit"), Map.of(), submitEnv());

        // then
        assertEquals(0, make.exit, make.output);
        try (Stream<Path> files = Files.list(artifacts)) {
            assertEquals(List.of(artifacts.resolve("lib")), files.toList(), "only lib/ at the artifact's root");
        }
        assertTrue(Files.size(artifacts.resolve("lib/pixq-submit.jar")) > 0);
        assertEquals(0, probe.exit, probe.output);
        assertTrue(probe.output.contains("\"handler\": \"pixq.aws.SubmitHandler\""), probe.output);
    }

    @Test
    void makefileSaysHowToBuildAMissingJar() throws Exception {
        assumeTrue(installed("make"), "make is not installed");

        // when
        Run make = run(List.of("make", "--makefile", "functions/submit/Makefile", "build-SubmitFunction", "JAR=target/missing.jar"),
                Map.of("ARTIFACTS_DIR", scratch.toString()));

        // then
        assertEquals(2, make.exit, make.output);
        assertTrue(make.output.contains("target/missing.jar is missing: run 'mvn -B package -DskipTests' first"), make.output);
    }

    @Test
    void workerThumbnailsWithReadOnlyNativesAndWritesNothing() throws Exception {
        // given: the natives as the image holds them, read-only; a temporary folder and home that cannot exist
        Path natives = scratch.resolve("opt-lib");
        copyFolder(Path.of("target/worker/natives"), natives);
        natives.toFile().setWritable(false, false);
        Path notAFolder = Files.writeString(scratch.resolve("file"), "");
        List<String> jvm = new ArrayList<>(dockerfileJavaToolOptions());
        jvm.addAll(List.of("-Djava.io.tmpdir=" + notAFolder.resolve("tmp"), "-Duser.home=" + notAFolder.resolve("home")));
        Map<String, String> env = Map.of("TABLE_NAME", "jobs", "AWS_REGION", "us-east-1", "LD_LIBRARY_PATH", natives.toString());
        List<String> strace = strace();

        // when
        Run probe = java(Path.of("target/worker/lib"), List.of("worker", SAMPLE.toAbsolutePath().toString()), jvm, env, strace);

        // then
        assertEquals(0, probe.exit, probe.output);
        assertTrue(probe.output.contains("\"handler\": \"pixq.aws.WorkerHandler\""), probe.output);
        assertTrue(Pattern.compile("\"outputBytes\": [1-9]").matcher(probe.output).find(), probe.output);
        if (!strace.isEmpty()) {
            List<String> writes = Files.readAllLines(scratch.resolve("strace.log")).stream()
                    .filter(l -> !l.contains("= -1 ") && !l.contains("\"/proc/") && !l.contains("\"/dev/") && (l.matches(".*O_(WRONLY|RDWR|CREAT).*")
                            || l.matches(".*\\b(mkdir|mkdirat|symlink|symlinkat|link|linkat|rename|renameat2?|creat)\\(.*")))
                    .toList();
            assertEquals(List.of(), writes, "files the worker's JVM created or opened for writing (/proc and /dev aside)");
        }
    }

    /** The JVM options of functions/worker/Dockerfile's JAVA_TOOL_OPTIONS: the test runs what the image runs. */
    private static List<String> dockerfileJavaToolOptions() throws IOException {
        Matcher m = Pattern.compile("(?m)^ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(Files.readString(Path.of("functions/worker/Dockerfile")));
        assertTrue(m.find(), "functions/worker/Dockerfile sets JAVA_TOOL_OPTIONS");
        return List.of(m.group(1).trim().split("\\s+"));
    }

    /** Whether a tool is on PATH; under CI=true it must be (.ci/run installs it from Debian). */
    private static boolean installed(String tool) {
        boolean found = Stream.of(System.getenv("PATH").split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertTrue(found, "CI=true but " + tool + " is not installed (Debian package " + tool + ")");
        }
        return found;
    }

    /** strace's command prefix, or none where strace is missing: the worker still runs, unwatched. */
    private List<String> strace() {
        return installed("strace") ? List.of("strace", "-f", "-qq", "-o", scratch.resolve("strace.log").toString(),
                "-e", "trace=open,openat,creat,mkdir,mkdirat,symlink,symlinkat,link,linkat,rename,renameat,renameat2") : List.of();
    }

    private static Map<String, String> submitEnv() {
        return Map.of("TABLE_NAME", "jobs", "QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                "INPUT_BUCKETS", "in", "OUTPUT_BUCKET", "out", "AWS_REGION", "us-east-1");
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(f.getFileName());
                if (Files.isSymbolicLink(f)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(f));
                } else {
                    Files.copy(f, target, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    private record Run(int exit, String output) {}

    private static Run java(Path lib, List<String> args, Map<String, String> env, Map<String, String> more) throws Exception {
        return java(lib, args, List.of(), merge(env, more), List.of());
    }

    /** A fresh JVM (this test's own java) with only lib/* on the class path, running HandlerProbe from source. */
    private static Run java(Path lib, List<String> args, List<String> jvm, Map<String, String> env, List<String> prefix) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(List.of("-cp", lib.toAbsolutePath() + File.separator + "*", "src/test/java/pixq/aws/HandlerProbe.java"));
        command.addAll(args);
        return run(command, env);
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        var all = new java.util.HashMap<>(a);
        all.putAll(b);
        return all;
    }

    private static Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assumeTrue(p.waitFor(2, TimeUnit.MINUTES), "timed out");
        return new Run(p.exitValue(), output);
    }
}
