package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * usable temporary folder, writes no file at all and opens no network connection while it starts (checked
 * with strace where it is installed).
 */
class DeployArtifactsIT {
    private static final Path SAMPLE = Path.of("samples/landscape.jpg");
    private static final Map<String, String> SUBMIT_ENV = Map.of("TABLE_NAME", "jobs", "QUEUE_URL",
            "https://sqs.us-east-1.amazonaws.com/123456789012/jobs", "INPUT_BUCKETS", "in", "OUTPUT_BUCKET", "out", "AWS_REGION", "us-east-1");

    @TempDir
    Path scratch;

    @Test
    void samBuildMakefileTargetGivesLambdaLayoutAndTheSubmitHandlerLoadsFromItAlone() throws Exception {
        // given
        Path artifacts = scratch.resolve("SubmitFunction");

        // when
        Artifacts.Run make = Artifacts.buildSubmit(artifacts);
        Artifacts.Run probe = Artifacts.probe(artifacts.resolve("lib"), List.of(), List.of(), SUBMIT_ENV, "submit");

        // then
        assertEquals(0, make.exit(), make.output());
        try (Stream<Path> files = Files.list(artifacts)) {
            assertEquals(List.of(artifacts.resolve("lib")), files.toList(), "only lib/ at the artifact's root");
        }
        assertTrue(Files.size(artifacts.resolve("lib/pixq-submit.jar")) > 0);
        assertEquals(0, probe.exit(), probe.output());
        assertTrue(probe.output().contains("\"handler\":\"pixq.aws.SubmitHandler\""), probe.output());
    }

    @Test
    void makefileSaysHowToBuildAMissingJar() throws Exception {
        // when
        Artifacts.Run make = Artifacts.buildSubmit(scratch, "JAR=target/missing.jar");

        // then
        assertEquals(2, make.exit(), make.output());
        assertTrue(make.output().contains("target/missing.jar is missing: run 'mvn -B package -DskipTests' first"), make.output());
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
        Artifacts.Run probe = Artifacts.probe(Path.of("target/worker/lib"), strace, jvm, env, "worker", SAMPLE.toAbsolutePath().toString());

        // then
        assertEquals(0, probe.exit(), probe.output());
        assertTrue(probe.output().contains("\"handler\":\"pixq.aws.WorkerHandler\""), probe.output());
        assertTrue(Pattern.compile("\"outputBytes\":[1-9]").matcher(probe.output()).find(), probe.output());
        if (!strace.isEmpty()) {
            List<String> writes = Files.readAllLines(scratch.resolve("strace.log")).stream()
                    .filter(l -> !l.contains("= -1 ") && !l.contains("\"/proc/") && !l.contains("\"/dev/") && (l.matches(".*O_(WRONLY|RDWR|CREAT).*")
                            || l.matches(".*\\b(mkdir|mkdirat|symlink|symlinkat|link|linkat|rename|renameat2?|creat)\\(.*")))
                    .toList();
            assertEquals(List.of(), writes, "files the worker's JVM created or opened for writing (/proc and /dev aside)");
            // Nothing for a SnapStart snapshot to carry stale: the handler's init opens no network connection.
            List<String> connections = Files.readAllLines(scratch.resolve("strace.log")).stream()
                    .filter(l -> l.contains("connect(") && l.matches(".*AF_INET6?.*")).toList();
            assertEquals(List.of(), connections, "network connections opened while the worker started");
        }
    }

    /** The JVM options of functions/worker/Dockerfile's JAVA_TOOL_OPTIONS: the test runs what the image runs. */
    private static List<String> dockerfileJavaToolOptions() throws IOException {
        Matcher m = Pattern.compile("(?m)^ENV JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(Files.readString(Path.of("functions/worker/Dockerfile")));
        assertTrue(m.find(), "functions/worker/Dockerfile sets JAVA_TOOL_OPTIONS");
        return List.of(m.group(1).trim().split("\\s+"));
    }

    /** strace's command prefix, or none where strace is missing: the worker still runs, unwatched. */
    private List<String> strace() {
        return Artifacts.installed("strace") ? List.of("strace", "-f", "-qq", "-o", scratch.resolve("strace.log").toString(),
                "-e", "trace=open,openat,creat,mkdir,mkdirat,symlink,symlinkat,link,linkat,rename,renameat,renameat2,connect") : List.of();
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
}
