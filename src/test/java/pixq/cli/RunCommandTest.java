package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.JobQueue;
import pixq.job.Job;
import pixq.job.JobBuilders;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.local.LocalFolderBlobStore;
import pixq.local.LocalState;
import pixq.recipe.Recipes;

/** {@code pixq run} end to end, in-process and (for kill -9) in a child JVM. */
class RunCommandTest {
    @TempDir
    Path dir;

    @Test
    void the_readme_command_renders_the_sample_images_upright_in_their_colours() throws Exception {
        // when: ./pixq run samples --out out --recipe web
        int exit = pixq("run", "samples", "--out", dir.resolve("out").toString(), "--recipe", "web",
                "--state", dir.resolve("state").toString());
        // then every sample gives three sizes, never enlarged
        assertEquals(0, exit);
        assertSize(1600, 1000, "landscape-1600.jpg");
        assertSize(800, 500, "landscape-800.jpg");
        assertSize(320, 200, "landscape-320.jpg");
        assertSize(900, 1200, "portrait-exif6-1600.jpg"); // stored 1200×900 with EXIF orientation 6
        assertSize(600, 800, "portrait-exif6-800.jpg");
        assertSize(800, 500, "cmyk-1600.jpg");
        assertSize(600, 400, "badge-alpha-1600.jpg");
        assertSize(320, 224, "gray-320.jpg");
        // the CMYK sample's sky is blue, as in the RGB landscape it was made from
        BufferedImage cmyk = ImageIO.read(dir.resolve("out/cmyk-320.jpg").toFile());
        Color sky = new Color(cmyk.getRGB(cmyk.getWidth() / 10, 2));
        assertTrue(sky.getBlue() > 150 && sky.getRed() < 100, "sky " + sky);
        // the upright portrait has its sky (blue) at the top, not on a side
        BufferedImage portrait = ImageIO.read(dir.resolve("out/portrait-exif6-320.jpg").toFile());
        Color top = new Color(portrait.getRGB(portrait.getWidth() / 10, 2));
        assertTrue(top.getBlue() > 150 && top.getRed() < 100, "top of the portrait " + top);
    }

    private void assertSize(int width, int height, String output) throws IOException {
        BufferedImage image = ImageIO.read(dir.resolve("out").resolve(output).toFile());
        assertEquals(width + "x" + height, image.getWidth() + "x" + image.getHeight(), output);
    }

    @Test
    void a_folder_with_good_and_bad_images_completes_each_job_with_a_clear_status() throws Exception {
        // given
        Path in = Files.createDirectories(dir.resolve("in/sub"));
        anImage(in.resolve("photo.jpg"), "jpg", 900, 600);
        anImage(in.resolve("scan.png"), "png", 300, 500);
        byte[] jpeg = Files.readAllBytes(in.resolve("photo.jpg"));
        Files.write(in.resolve("truncated.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length / 3));
        Files.write(in.resolve("empty.jpg"), new byte[0]);
        Files.writeString(in.resolve("notes.jpg"), "these are not pixels");
        Files.write(in.resolve("bomb.png"), pngHeaderClaiming(100_000, 100_000));
        Files.writeString(in.resolve("readme.txt"), "skipped: not an image extension");
        // when
        int exit = pixq("run", dir.resolve("in").toString(), "--out", dir.resolve("out").toString(),
                "--recipe", "thumbnail", "--state", dir.resolve("state").toString());
        // then
        assertEquals(2, exit, "exit code 2 says some jobs failed");
        assertEquals(256, ImageIO.read(dir.resolve("out/sub/photo-thumb.jpg").toFile()).getWidth());
        assertEquals(256, ImageIO.read(dir.resolve("out/sub/scan-thumb.jpg").toFile()).getHeight());
        Map<String, Job> jobs = jobsByFile();
        assertEquals(6, jobs.size(), "one job per image file, readme.txt skipped");
        assertEquals(JobState.SUCCEEDED, jobs.get("photo.jpg").state());
        for (String bad : List.of("truncated.jpg", "empty.jpg", "notes.jpg", "bomb.png")) {
            Job job = jobs.get(bad);
            assertEquals(JobState.FAILED, job.state(), bad);
            assertEquals(1, job.attempts(), bad + " is not retried: retrying would not help");
            assertTrue(job.lastError() != null && job.lastError().length() > 10, bad + ": " + job.lastError());
        }
        assertTrue(jobs.get("bomb.png").lastError().contains("limit"), jobs.get("bomb.png").lastError());
    }

    @Test
    void status_jobs_lists_a_batchs_jobs_with_their_ids_a_page_at_a_time() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        for (String name : List.of("a.jpg", "b.jpg", "c.jpg")) {
            anImage(in.resolve(name), "jpg", 120, 80);
        }
        Files.writeString(in.resolve("d.jpg"), "not pixels");
        String state = dir.resolve("state").toString();
        assertEquals(2, pixq("run", in.toString(), "--out", dir.resolve("out").toString(), "--state", state));
        String batch = jobsByFile().get("a.jpg").spec().batchId();

        String first = pixqOut("status", batch, "--jobs", "--limit", "2", "--state", state);
        List<String> lines = first.lines().toList();
        assertEquals(3, lines.size(), first);
        assertTrue(lines.get(0).startsWith(jobsByFile().get("a.jpg").id()) && lines.get(0).contains("SUCCEEDED")
                && lines.get(0).contains("a-thumb.jpg"), first);
        String more = lines.get(2);
        // the hint works as printed: it carries the page size and the state folder
        assertTrue(more.startsWith("more: pixq status " + batch + " --jobs --limit 2 --after ") && more.endsWith(" --state " + state), more);
        String rest = pixqOut(more.substring("more: pixq ".length()).split(" "));
        assertEquals(2, rest.lines().count(), rest);
        String failed = pixqOut("status", batch, "--jobs", "--only", "failed", "--state", state);
        assertTrue(failed.lines().count() == 1 && failed.contains(jobsByFile().get("d.jpg").id()) && failed.contains("FAILED"), failed);
        // the next page of one state: the printed hint names the state with --only (--state is the state folder)
        String succeeded = pixqOut("status", batch, "--jobs", "--only", "succeeded", "--limit", "2", "--state", state);
        String next = succeeded.lines().reduce((x, y) -> y).orElseThrow();
        assertTrue(next.startsWith("more: pixq status " + batch + " --jobs --only succeeded --limit 2 --after "), succeeded);
    }

    @Test
    void failures_lists_the_reason_and_retry_processes_the_job_again_once_the_file_is_fixed() throws Exception {
        // given a run where one file was not an image yet
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("late.jpg"), "still uploading");
        String state = dir.resolve("state").toString();
        assertEquals(2, pixq("run", in.toString(), "--out", dir.resolve("out").toString(), "--state", state));
        String failures = pixqOut("failures", "--state", state);
        assertTrue(failures.contains("late.jpg") && failures.contains("not an image"), failures);
        // when the file is fixed and the job retried
        anImage(in.resolve("late.jpg"), "jpg", 300, 300);
        int exit = pixq("retry", "--state", state);
        // then
        assertEquals(0, exit);
        assertEquals(JobState.SUCCEEDED, jobsByFile().get("late.jpg").state());
        assertTrue(Files.exists(dir.resolve("out/late-thumb.jpg")));
        String status = pixqOut("status", "--state", state);
        assertTrue(status.contains("succeeded 1  failed 0"), status);
        String job = pixqOut("status", "--job", jobsByFile().get("late.jpg").id(), "--state", state);
        assertTrue(job.contains("state     SUCCEEDED") && job.contains("attempts  1") && job.contains("late-thumb.jpg"), job);
    }

    @Test
    void redrive_sends_the_embedded_queues_dead_letters_back_and_processes_them() throws Exception {
        // given a job whose message was dead-lettered after three receives, its record FAILED
        Path in = Files.createDirectories(dir.resolve("in"));
        anImage(in.resolve("a.jpg"), "jpg", 300, 200);
        JobSpec spec = JobSpec.of("b1", in.resolve("a.jpg").toUri().toString(), dir.resolve("out").toUri() + "/",
                Recipes.resolve("thumbnail"), List.of());
        try (LocalState state = LocalState.open(dir.resolve("state"))) {
            Clock clock = Clock.systemUTC();
            Job queued = Job.queued(spec, clock);
            state.jobs().insertNew(List.of(queued));
            state.jobs().update(queued, queued.start(clock, JobBuilders.LEASE).fail("gave up after 3 attempts (dead-lettered): disk busy", clock));
            state.queue().send(List.of(spec));
            for (int i = 0; i < JobQueue.DEFAULT_MAX_RECEIVES; i++) {
                state.queue().retryLater(state.queue().receive(1).get(0), Duration.ZERO);
            }
            assertTrue(state.queue().receive(1).isEmpty(), "exhausted: dead-lettered on this receive");
            assertEquals(1, state.queue().deadLetters(10).size());
        }
        // when
        int exit = pixq("redrive", "--state", dir.resolve("state").toString());
        // then
        assertEquals(0, exit);
        assertEquals(JobState.SUCCEEDED, jobsByFile().get("a.jpg").state());
        assertTrue(Files.exists(dir.resolve("out/a-thumb.jpg")));
    }

    @Test
    void a_mistyped_command_line_exits_1_and_says_what_is_missing() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        try {
            System.setErr(new PrintStream(err, true));
            assertEquals(1, pixq("run", dir.toString()));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains("Missing required option: '--out=DIR'"), err.toString());
    }

    @Test
    void running_again_redoes_nothing_even_with_the_outputs_inside_the_input_folder() throws Exception {
        // given outputs written inside the folder being processed, and a hidden file
        Path in = Files.createDirectories(dir.resolve("in"));
        anImage(in.resolve("a.jpg"), "jpg", 400, 300);
        anImage(in.resolve(".hidden.jpg"), "jpg", 40, 30);
        String[] command = {"run", in.toString(), "--out", in.resolve("out").toString(), "--state", dir.resolve("state").toString()};
        assertEquals(0, pixq(command));
        FileTime written = Files.getLastModifiedTime(in.resolve("out/a-thumb.jpg"));
        // when
        assertEquals(0, pixq(command));
        // then the outputs were not taken as inputs, and nothing was redone
        assertEquals(written, Files.getLastModifiedTime(in.resolve("out/a-thumb.jpg")));
        Map<String, Job> jobs = jobsByFile();
        assertEquals(List.of("a.jpg"), List.copyOf(jobs.keySet()));
        assertEquals(1, jobs.get("a.jpg").attempts());
    }

    @Test
    void deleted_outputs_are_written_again_and_a_changed_input_is_redone_alone() throws Exception {
        // given a finished run
        Path in = Files.createDirectories(dir.resolve("in"));
        anImage(in.resolve("a.jpg"), "jpg", 400, 300);
        anImage(in.resolve("b.jpg"), "jpg", 400, 300);
        Path out = dir.resolve("out");
        String[] command = {"run", in.toString(), "--out", out.toString(), "--state", dir.resolve("state").toString()};
        assertEquals(0, pixq(command));
        // when the outputs are deleted
        deleteTree(out);
        assertEquals(0, pixq(command));
        // then they are written again
        assertEquals(256, ImageIO.read(out.resolve("a-thumb.jpg").toFile()).getWidth());
        assertEquals(256, ImageIO.read(out.resolve("b-thumb.jpg").toFile()).getWidth());
        FileTime aWritten = Files.getLastModifiedTime(out.resolve("a-thumb.jpg"));
        // when b.jpg is replaced by a portrait
        anImage(in.resolve("b.jpg"), "jpg", 300, 600);
        assertEquals(0, pixq(command));
        // then b is redone from its new content, a is not touched
        assertEquals(128, ImageIO.read(out.resolve("b-thumb.jpg").toFile()).getWidth());
        assertEquals(aWritten, Files.getLastModifiedTime(out.resolve("a-thumb.jpg")));
    }

    @Test
    void another_recipe_into_the_same_folder_says_how_many_outputs_it_replaced() throws Exception {
        // given a run that wrote a.png and b.png, and a first run's summary
        Path in = Files.createDirectories(dir.resolve("in"));
        anImage(in.resolve("a.jpg"), "jpg", 400, 300);
        anImage(in.resolve("b.jpg"), "jpg", 400, 300);
        String out = dir.resolve("out").toString();
        String first = pixqOut("run", in.toString(), "--out", out, "--recipe", "fit 200x200 | png", "--state", dir.resolve("state").toString());
        assertFalse(first.contains("replaced"), first);

        // when another recipe writes the same names there
        String second = pixqOut("run", in.toString(), "--out", out, "--recipe", "fit 100x100 | png", "--state", dir.resolve("state").toString());

        // then its summary says both were replaced, and they are the new ones
        assertTrue(second.contains("2 outputs replaced files of the same name"), second);
        assertEquals(100, ImageIO.read(dir.resolve("out/a.png").toFile()).getWidth());
        // and so does pixq status afterwards, on the second batch's line alone
        String status = pixqOut("status", "--state", dir.resolve("state").toString());
        assertEquals(1, status.lines().filter(l -> l.contains("2 outputs replaced earlier ones of the same name")).count(), status);
        assertEquals(1, status.lines().filter(l -> l.contains("replaced")).count(), status);
        // and pixq watch, once that batch is done
        List<String> lines = status.lines().toList();
        String secondBatch = lines.get(lines.size() - 2).split(" ")[0];
        String watched = pixqOut("watch", secondBatch, "--state", dir.resolve("state").toString());
        assertTrue(watched.contains("2 outputs replaced earlier ones of the same name"), watched);
        // and its manifest: the batch's line and each job's, and the CSV made from it
        List<String> manifest = pixqOut("status", secondBatch, "--manifest", "--state", dir.resolve("state").toString()).lines().toList();
        assertTrue(manifest.get(0).contains("\"replaced\":2"), manifest.get(0));
        assertTrue(manifest.subList(1, 3).stream().allMatch(l -> l.contains("\"replaced\":1")), manifest.toString());
        List<String> csv = pixqOut("status", secondBatch, "--manifest", "--format", "csv", "--state", dir.resolve("state").toString()).lines().toList();
        int column = List.of(csv.get(0).split(",")).indexOf("replaced");
        assertEquals(List.of("1", "1"), csv.subList(1, 3).stream().map(row -> row.split(",")[column]).toList(), csv.toString());
    }

    @Test
    void a_run_whose_batch_is_canceled_says_how_many_and_exits_2() throws Exception {
        // given a slow command step, one worker, three images
        Path in = Files.createDirectories(dir.resolve("in"));
        for (String name : List.of("a.jpg", "b.jpg", "c.jpg")) {
            anImage(in.resolve(name), "jpg", 64, 64);
        }
        Path slow = dir.resolve("slow.sh");
        Files.writeString(slow, "#!/bin/sh\nsleep 1\ncp \"$1\" \"$2\"\n");
        slow.toFile().setExecutable(true);
        String state = dir.resolve("state").toString();
        // when the batch is canceled while the first image runs
        Thread canceler = new Thread(() -> cancelOnceRunning(state));
        canceler.start();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(printed, true));
            exit = pixq("run", in.toString(), "--out", dir.resolve("out").toString(), "--state", state, "--workers", "1",
                    "--recipe", "command slow | jpeg", "--command", "slow=" + slow);
        } finally {
            System.setOut(old);
        }
        canceler.join();
        // then
        assertEquals(2, exit, printed.toString());
        assertTrue(printed.toString().contains("0 succeeded, 0 failed, 3 canceled"), printed.toString());
        Job first = jobsByFile().get("a.jpg");
        assertEquals(JobState.CANCELED, first.state());
        assertEquals(1, first.outputs().size(), "the output written while it was canceled is recorded");
        assertTrue(Files.exists(dir.resolve("out/a.jpg")));
    }

    private static void cancelOnceRunning(String state) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(Path.of(state, "pixq.db"))) {
                try (LocalState local = LocalState.open(Path.of(state))) {
                    List<Job> running = local.jobs().list(null, JobState.RUNNING, 1);
                    if (!running.isEmpty()) {
                        Main.commandLine().execute("cancel", running.get(0).spec().batchId(), "--state", state);
                        return;
                    }
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Test
    void after_kill_9_the_same_command_resumes_without_losing_or_redoing_jobs() throws Exception {
        // given a run killed with SIGKILL once some outputs exist
        Path in = Files.createDirectories(dir.resolve("in"));
        int images = 60;
        for (int i = 0; i < images; i++) {
            anImage(in.resolve(String.format("img%02d.jpg", i)), "jpg", 1200, 900);
        }
        Path out = dir.resolve("out");
        String[] command = {"run", in.toString(), "--out", out.toString(), "--recipe", "web",
                "--workers", "1", "--state", dir.resolve("state").toString()};
        Process child = childPixq(command);
        waitForOutputs(out, 6, child);
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Map<Path, FileTime> beforeResume = outputTimes(out);
        int doneBefore = (int) jobsByFile().values().stream().filter(j -> j.state() == JobState.SUCCEEDED).count();
        assertTrue(doneBefore > 0 && doneBefore < images, "killed mid-run: " + doneBefore + " done");
        // when
        int exit = pixq(command);
        // then every job succeeded, the finished ones were not redone, at most the one in flight ran twice
        assertEquals(0, exit);
        Map<String, Job> jobs = jobsByFile();
        assertEquals(images, jobs.size());
        assertTrue(jobs.values().stream().allMatch(j -> j.state() == JobState.SUCCEEDED));
        int attempts = jobs.values().stream().mapToInt(Job::attempts).sum();
        assertTrue(attempts <= images + 1, "attempts " + attempts + " for " + images + " jobs");
        beforeResume.forEach((file, time) -> {
            if (finishedBefore(file, jobs)) {
                assertEquals(time, outputTimes(out).get(file), file + " was redone");
            }
        });
        assertEquals(images * 3, outputTimes(out).size());
    }

    @Test
    void a_second_run_on_the_same_state_leaves_the_first_runs_jobs_queued_for_their_own_command() throws Exception {
        // given: batch A's jobs queued and never run (A was stopped at once), outputs meant for outA
        Path in = Files.createDirectories(dir.resolve("in"));
        anImage(in.resolve("a1.jpg"), "jpg", 300, 200);
        anImage(in.resolve("a2.jpg"), "jpg", 300, 200);
        anImage(dir.resolve("one.jpg"), "jpg", 300, 200);
        List<JobSpec> batchA = List.of("a1.jpg", "a2.jpg").stream().map(name -> JobSpec.of("A", in.resolve(name).toUri().toString(),
                dir.resolve("outA").toUri() + "/", Recipes.resolve("thumbnail"), List.of())).toList();
        try (LocalState state = LocalState.open(dir.resolve("state"))) {
            new pixq.job.Submitter(state.jobs(), state.queue(), new LocalFolderBlobStore(dir), Clock.systemUTC()).submit("A", batchA);
        }
        // when
        int exit = pixq("run", dir.resolve("one.jpg").toString(), "--out", dir.resolve("outB").toString(),
                "--state", dir.resolve("state").toString());
        // then B ran; A's jobs are untouched and still have their messages
        assertEquals(0, exit);
        Map<String, Job> jobs = jobsByFile();
        assertEquals(JobState.SUCCEEDED, jobs.get("one.jpg").state());
        assertEquals(JobState.QUEUED, jobs.get("a1.jpg").state());
        assertEquals(0, jobs.get("a1.jpg").attempts());
        assertEquals(JobState.QUEUED, jobs.get("a2.jpg").state());
        try (LocalState state = LocalState.open(dir.resolve("state"))) {
            assertEquals(2, state.queue().only(List.of("A")).receive(10).size());
        }
        assertEquals(List.of("one-thumb.jpg"), List.of(dir.resolve("outB").toFile().list()));
    }

    @Test
    void a_job_whose_worker_died_on_each_receive_is_failed_and_redriven_by_the_next_redrive() throws Exception {
        // given: a job whose worker was killed on each of its three receives (its message leased, never settled)
        Path in = Files.createDirectories(dir.resolve("in"));
        anImage(in.resolve("a.jpg"), "jpg", 300, 200);
        JobSpec spec = JobSpec.of("crashes", in.resolve("a.jpg").toUri().toString(), dir.resolve("out").toUri() + "/",
                Recipes.resolve("thumbnail"), List.of());
        try (LocalState state = LocalState.open(dir.resolve("state"))) {
            Clock clock = Clock.systemUTC();
            new pixq.job.Submitter(state.jobs(), state.queue(), new LocalFolderBlobStore(dir), clock).submit("crashes", List.of(spec));
            for (int i = 0; i < JobQueue.DEFAULT_MAX_RECEIVES; i++) {
                state.queue().receive(1);
                state.queue().releaseLeases(); // the worker died: its lease is released by the next run
            }
            Job queued = state.jobs().find(spec.id()).orElseThrow();
            state.jobs().update(queued, queued.start(clock, JobBuilders.LEASE));
        }
        // when: the next command on the state, as soon as no worker is alive (pixq status shows it FAILED then)
        String status = pixqOut("failures", "--state", dir.resolve("state").toString());
        String redrive = pixqOut("redrive", "--state", dir.resolve("state").toString());
        // then
        assertTrue(status.contains("dead-lettered after 3 receives: the worker timed out or crashed"), status);
        assertTrue(redrive.contains("redrove 1 job messages"), redrive);
        assertEquals(JobState.SUCCEEDED, jobsByFile().get("a.jpg").state());
    }

    private static boolean finishedBefore(Path output, Map<String, Job> jobs) {
        String stem = output.getFileName().toString().replaceAll("-\\d+\\.jpg$", "");
        return jobs.get(stem + ".jpg").attempts() == 1;
    }

    static int pixq(String... args) {
        return Main.commandLine().execute(args);
    }

    /** What a command printed on standard output. */
    static String pixqOut(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = System.out;
        try {
            System.setOut(new PrintStream(bytes, true));
            Main.commandLine().execute(args);
        } finally {
            System.setOut(out);
        }
        return bytes.toString();
    }

    private Process childPixq(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
    }

    private static void waitForOutputs(Path out, int count, Process child) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && child.isAlive()) {
            if (Files.isDirectory(out) && outputTimes(out).size() >= count) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the child run made no progress; alive=" + child.isAlive());
    }

    private static Map<Path, FileTime> outputTimes(Path out) {
        Map<Path, FileTime> times = new HashMap<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jpg")).toList()) {
                times.put(file, Files.getLastModifiedTime(file));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return times;
    }

    private Map<String, Job> jobsByFile() {
        try (LocalState state = LocalState.open(dir.resolve("state"))) {
            Map<String, Job> byFile = new HashMap<>();
            for (Job job : state.jobs().list(null, null, Integer.MAX_VALUE)) {
                byFile.put(job.spec().input().substring(job.spec().input().lastIndexOf('/') + 1), job);
            }
            return byFile;
        }
    }

    private static void anImage(Path file, String format, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setPaint(new java.awt.GradientPaint(0, 0, Color.RED, width, height, Color.BLUE));
        g.fillRect(0, 0, width, height);
        g.dispose();
        ImageIO.write(image, format, file.toFile());
    }

    /** The first bytes of a PNG whose header claims the given size: a decompression bomb's calling card. */
    private static byte[] pngHeaderClaiming(int width, int height) {
        ByteBuffer png = ByteBuffer.allocate(33);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        png.putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0}).putInt(0);
        return png.array();
    }
}
