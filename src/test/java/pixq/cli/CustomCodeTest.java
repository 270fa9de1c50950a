package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.cli.RunCommandTest.pixq;
import static pixq.cli.RunCommandTest.pixqOut;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.image.ExampleJob;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.local.LocalState;
import pixq.recipe.Json;

/** The README's custom-code example, examples/python-job/myjob.py, through `pixq run --command` as a user runs it. */
class CustomCodeTest {
    private static final ObjectMapper JSON = Json.MAPPER;

    @TempDir
    Path dir;

    @Test
    void the_example_script_writes_its_files_for_each_image_and_they_are_the_jobs_outputs() throws Exception {
        // given the samples: a landscape and a portrait stored sideways with EXIF orientation 6
        String command = "myjob=" + ExampleJob.script();
        // when
        int exit = pixq("run", "samples/landscape.jpg", "samples/portrait-exif6.jpg", "--out", out().toString(),
                "--recipe", "command myjob", "--command", command, "--state", state());
        // then: each image's files, named after it; the script saw the portrait upright (Pillow's exif_transpose)
        assertEquals(0, exit);
        JsonNode landscape = JSON.readTree(out().resolve("landscape-stats.json").toFile());
        JsonNode portrait = JSON.readTree(out().resolve("portrait-exif6-stats.json").toFile());
        assertEquals(List.of(1600, 1000), List.of(landscape.get("width").asInt(), landscape.get("height").asInt()));
        assertEquals(List.of(900, 1200), List.of(portrait.get("width").asInt(), portrait.get("height").asInt()));
        assertEquals(256, ImageIO.read(out().resolve("landscape-gray.png").toFile()).getWidth());
        // and recorded on the job, as `pixq status --job` shows them
        Job job = jobs(j -> j.spec().input()).get(Path.of("samples/landscape.jpg").toAbsolutePath().toUri().toString());
        assertEquals(List.of(out().resolve("landscape-gray.png").toUri().toString(), out().resolve("landscape-stats.json").toUri().toString()),
                job.outputs());
        String status = pixqOut("status", "--job", job.id(), "--state", state());
        assertTrue(status.contains("output    " + out().resolve("landscape-stats.json").toUri()), status);
    }

    @Test
    void args_only_jobs_run_the_script_once_per_argument_as_add_jobs_py_a_b_did() throws Exception {
        // when: pixq run --args-only a b --arg --fast (two jobs: [a, --fast] and [b, --fast])
        int exit = pixq("run", "--args-only", "a", "b", "--arg", "--fast", "--out", out().toString(),
                "--recipe", "command myjob", "--command", "myjob=" + ExampleJob.script(), "--state", state());
        // then: both SUCCEEDED, each with the files the script wrote, named after the job
        assertEquals(0, exit);
        Map<String, Job> byArgs = jobs(j -> String.join(" ", j.spec().args()));
        assertEquals(2, byArgs.size());
        for (String args : List.of("a --fast", "b --fast")) {
            Job job = byArgs.get(args);
            assertEquals(JobState.SUCCEEDED, job.state(), job.lastError());
            assertEquals(2, job.outputs().size(), job.outputs().toString());
            JsonNode result = JSON.readTree(out().resolve(job.id() + "-result.json").toFile());
            assertEquals(List.of(args.split(" ")), JSON.convertValue(result.get("args"), List.class));
            assertTrue(Files.exists(out().resolve(job.id() + "-pattern.png")));
        }
        String status = pixqOut("status", "--job", byArgs.get("a --fast").id(), "--state", state());
        assertTrue(status.contains("input     - (args only)") && status.contains("-result.json"), status);
    }

    @Test
    void a_command_is_told_its_jobs_input_id_and_batch_which_its_scratch_copy_cannot_say() throws Exception {
        // given a script that writes what it was told, and a photo whose name has spaces and brackets
        Path script = dir.resolve("who.sh");
        Files.writeString(script, "#!/bin/sh\nprintf '%s\\n%s\\n%s\\n' \"$PIXQ_INPUT\" \"$PIXQ_JOB_ID\" \"$PIXQ_BATCH_ID\""
                + " > \"$PIXQ_OUTPUT_DIR/who.txt\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path photo = Files.copy(Path.of("samples/landscape.jpg"), Files.createDirectories(dir.resolve("in")).resolve("IMG 0001 (1).jpg"));

        // when
        int exit = pixq("run", photo.toString(), "--out", out().toString(), "--recipe", "command who", "--command", "who=" + script,
                "--state", state());

        // then: the input's own URI (what an rq job got as its key), the job's id and its batch's
        assertEquals(0, exit);
        Job job = jobs(j -> j.spec().input()).get(photo.toUri().toString());
        assertEquals(List.of(photo.toUri().toString(), job.id(), job.spec().batchId()),
                Files.readAllLines(out().resolve("IMG 0001 (1)-who.txt")));
    }

    @Test
    void a_failing_script_fails_its_job_with_its_message_and_a_slow_one_is_stopped_at_its_limit() throws Exception {
        // given: a file the script cannot read, and a command that outlives --command-timeout
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("notes.jpg"), "these are not pixels");
        Path slow = dir.resolve("slow.sh");
        Files.writeString(slow, "#!/bin/sh\nsleep 30\n");
        Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwxr-xr-x"));
        // when
        int bad = pixq("run", in.resolve("notes.jpg").toString(), "--out", out().toString(), "--recipe", "command myjob",
                "--command", "myjob=" + ExampleJob.script(), "--state", state());
        long start = System.nanoTime();
        int late = pixq("run", "--args-only", "x", "--out", out().toString(), "--recipe", "command slow",
                "--command", "slow=" + slow, "--command-timeout", "PT1S", "--state", state());
        // then: exit 2 (some jobs failed), each FAILED with a reason a user can act on, once (not retried)
        assertEquals(List.of(2, 2), List.of(bad, late));
        assertTrue(System.nanoTime() - start < 20e9, "the slow command was not stopped at its 1 s limit");
        Map<String, Job> byArgs = jobs(j -> String.join(" ", j.spec().args()));
        Job notes = jobs(j -> String.valueOf(j.spec().input())).get(in.resolve("notes.jpg").toUri().toString());
        assertEquals(JobState.FAILED, notes.state());
        assertTrue(notes.lastError().contains("exit code 1") && notes.lastError().contains("myjob: cannot read the image"),
                notes.lastError());
        assertEquals(1, byArgs.get("x").attempts());
        assertTrue(byArgs.get("x").lastError().contains("ran longer than its time limit of 1 s"), byArgs.get("x").lastError());
    }

    @Test
    void the_example_java_plugin_built_by_its_script_runs_by_name_once_its_jar_is_on_the_class_path() throws Exception {
        // given: examples/java-filter/build.sh run as a user runs it, against the classes under test
        ProcessBuilder build = new ProcessBuilder("examples/java-filter/build.sh").redirectErrorStream(true)
                .redirectOutput(dir.resolve("build.log").toFile());
        build.environment().put("PIXQ_CLASSPATH", System.getProperty("java.class.path"));
        assertEquals(0, exitOf(build.start()), Files.readString(dir.resolve("build.log")));
        Path jar = Path.of("examples/java-filter/target/sepia-filter.jar").toAbsolutePath();
        BufferedImage gray = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = gray.createGraphics();
        g.setColor(new Color(128, 128, 128));
        g.fillRect(0, 0, 40, 30);
        g.dispose();
        Files.createDirectories(dir.resolve("in"));
        ImageIO.write(gray, "png", dir.resolve("in/gray.png").toFile());

        // when: pixq runs with the jar on its class path (as the worker image's lib/ puts it there)
        Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path") + java.io.File.pathSeparator + jar, Main.class.getName(),
                "run", dir.resolve("in/gray.png").toString(), "--out", out().toString(), "--state", state(),
                "--recipe", "custom sepia | png -sepia").redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile()).start();

        // then: mid gray turned sepia, warm: red over green over blue (the sepia matrix gives 173, 154, 120)
        assertEquals(0, exitOf(run), Files.readString(dir.resolve("run.log")));
        Color pixel = new Color(ImageIO.read(out().resolve("gray-sepia.png").toFile()).getRGB(20, 15));
        assertEquals(List.of(173, 154, 120), List.of(pixel.getRed(), pixel.getGreen(), pixel.getBlue()), pixel.toString());
    }

    private Path out() {
        return dir.resolve("out");
    }

    private String state() {
        return dir.resolve("state").toString();
    }

    private Map<String, Job> jobs(Function<Job, String> key) {
        try (LocalState state = LocalState.open(dir.resolve("state"))) {
            return state.jobs().list(null, null, Integer.MAX_VALUE).stream().collect(Collectors.toMap(key, j -> j));
        }
    }

    /** The process's exit code, 3 minutes at most: a hung build or run fails the test, its tree killed. */
    private static int exitOf(Process process) throws InterruptedException {
        if (!process.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("still running after 3 minutes: " + process.info().commandLine().orElse("?"));
        }
        return process.exitValue();
    }
}
