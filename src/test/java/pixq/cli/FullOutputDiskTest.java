package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.cli.RunCommandTest.pixq;
import static pixq.cli.RunCommandTest.pixqOut;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.local.LocalFolderBlobStore;
import pixq.local.LocalState;

/** A full output disk stops `pixq run` or `pixq retry` with the jobs left queued; freeing space and running it again finishes them. */
@Timeout(300)
class FullOutputDiskTest {
    @TempDir
    Path dir;

    @Test
    void a_full_output_disk_stops_the_run_with_its_jobs_queued_and_the_same_command_resumes_once_space_is_freed()
            throws Exception {
        // given two images, and an output disk whose next five writes fail as a full disk does on Linux
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(Path.of("samples/gray.jpg"), in.resolve("a.jpg"));
        Files.copy(Path.of("samples/landscape.jpg"), in.resolve("b.jpg"));
        LocalFolderBlobStore.FileWriter disk = fullFor(5);
        String[] command = {"run", in.toString(), "--out", dir.resolve("out").toString(), "--recipe", "thumbnail",
            "--workers", "1", "--state", dir.resolve("state").toString()};

        // when the same command is run five times on the full disk: more runs than a job's allowed receives
        for (int run = 1; run <= 5; run++) {
            StringWriter err = new StringWriter();
            int exit = pixqOn(disk, err, command);

            // then each run stops at its first failed write, says why and what to do, and leaves both jobs queued
            assertEquals(1, exit, "run " + run + ": " + err);
            assertTrue(err.toString().contains("the output disk is full") && err.toString().contains("No space left on device")
                    && err.toString().contains("run the same command again to resume"), err.toString());
            List<Job> jobs = jobs();
            assertEquals(List.of(JobState.QUEUED, JobState.QUEUED), jobs.stream().map(Job::state).toList(), "run " + run);
            assertEquals(run, jobs.stream().mapToInt(Job::attempts).sum(), "run " + run + " stopped polling after one job");
        }
        assertEquals(List.of(), files(dir.resolve("out")), "nothing half-written is left");

        // when space is freed and the same command runs again
        StringWriter err = new StringWriter();
        int exit = pixqOn(disk, err, command);

        // then it finishes both jobs: none was dead-lettered by the stopped runs' receives
        assertEquals(0, exit, err.toString());
        assertEquals(List.of(JobState.SUCCEEDED, JobState.SUCCEEDED), jobs().stream().map(Job::state).toList());
        assertEquals(List.of("a-thumb.jpg", "b-thumb.jpg"), files(dir.resolve("out")));
    }

    @Test
    void the_summary_of_a_run_with_failed_jobs_names_the_retry_command_which_works_as_printed() throws Exception {
        // given a run on its own state where one file is not an image yet
        Path in = oneImageAndOneNotYet();
        String state = dir.resolve("state").toString();

        // when
        String summary = pixqOut("run", in.toString(), "--out", dir.resolve("out").toString(), "--state", state);

        // then the summary says how to retry it, with the batch and the state
        String batch = jobs().get(0).spec().batchId();
        String retry = summary.lines().filter(line -> line.contains("pixq retry")).findFirst().orElseThrow(() -> new AssertionError(summary));
        String printed = retry.substring(retry.indexOf("pixq retry"));
        assertEquals("pixq retry " + batch + " --state " + state, printed, summary);

        // and, once the file is fixed, that command retries it
        Files.copy(Path.of("samples/landscape.jpg"), in.resolve("late.jpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(0, pixq(printed.substring("pixq ".length()).split(" ")));
        assertEquals(List.of(JobState.SUCCEEDED, JobState.SUCCEEDED), jobs().stream().map(Job::state).toList());
    }

    @Test
    void a_retry_stopped_by_a_full_disk_resumes_when_run_again() throws Exception {
        // given a run whose one file was not an image yet, since fixed, and an output disk whose next write fails as full
        Path in = oneImageAndOneNotYet();
        String state = dir.resolve("state").toString();
        assertEquals(2, pixq("run", in.toString(), "--out", dir.resolve("out").toString(), "--state", state));
        Files.copy(Path.of("samples/landscape.jpg"), in.resolve("late.jpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String batch = jobs().get(0).spec().batchId();
        LocalFolderBlobStore.FileWriter disk = fullFor(1);
        String[] retry = {"retry", batch, "--state", state};

        // when its retry meets a full output disk
        StringWriter err = new StringWriter();
        int exit = pixqOn(disk, err, retry);

        // then it stops, says to run the same command again, and leaves the job queued
        assertEquals(1, exit, err.toString());
        assertTrue(err.toString().contains("run the same command again to resume"), err.toString());
        assertEquals(List.of(JobState.SUCCEEDED, JobState.QUEUED), jobs().stream().map(Job::state).toList());

        // and status, while a run holds the state, shows it queued and names no command: that run works it
        try (LocalState running = LocalState.open(dir.resolve("state"))) {
            assertTrue(running.tryLockRun());
            String busy = pixqOut("status", batch, "--state", state);
            assertTrue(busy.contains("queued 1") && !busy.contains("pixq retry"), busy);
            String watching = pixqOut("watch", batch, "--state", state, "--once");
            assertTrue(watching.contains("queued 1") && !watching.contains("pixq retry"), watching);
        }

        // and watch, once no run holds it, stops at once saying what resumes it, instead of waiting for ever
        assertEquals(1, pixq("watch", batch, "--state", state));
        String watched = pixqOut("watch", batch, "--state", state);
        assertTrue(watched.contains("no run is working them; to resume them: pixq retry " + batch), watched);

        // and status, once no run holds it, shows it queued with no ETA, naming that same command to resume it
        String status = pixqOut("status", batch, "--state", state);
        assertTrue(status.contains("queued 1") && !status.contains("ETA"), status);
        String hint = status.lines().filter(line -> line.contains("pixq retry")).findFirst().orElseThrow(() -> new AssertionError(status));
        String printed = hint.substring(hint.indexOf("pixq retry"));
        assertEquals(String.join(" ", "pixq", String.join(" ", retry)), printed, status);

        // when space is freed and that command runs, as printed
        StringWriter again = new StringWriter();
        exit = pixqOn(disk, again, printed.substring("pixq ".length()).split(" "));

        // then it finishes the job it left queued
        assertEquals(0, exit, again.toString());
        assertEquals(List.of(JobState.SUCCEEDED, JobState.SUCCEEDED), jobs().stream().map(Job::state).toList());
        assertEquals(List.of("a-thumb.jpg", "late-thumb.jpg"), files(dir.resolve("out")));
    }

    /** An input folder with an image, a.jpg, and late.jpg, not an image yet (still uploading). */
    private Path oneImageAndOneNotYet() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(Path.of("samples/gray.jpg"), in.resolve("a.jpg"));
        Files.writeString(in.resolve("late.jpg"), "still uploading");
        return in;
    }

    /** An output disk whose next {@code writes} writes fail as a full disk does on Linux; then it has space. */
    private static LocalFolderBlobStore.FileWriter fullFor(int writes) {
        AtomicInteger left = new AtomicInteger(writes);
        return (file, bytes) -> {
            if (left.getAndDecrement() > 0) {
                throw new IOException("No space left on device");
            }
            LocalFolderBlobStore.FileWriter.DISK.write(file, bytes);
        };
    }

    /** pixq with its outputs written through {@code disk}, its errors into {@code err}. */
    private static int pixqOn(LocalFolderBlobStore.FileWriter disk, StringWriter err, String... args) {
        CommandLine cli = Main.commandLine(args);
        Object command = cli.getSubcommands().get(args[0]).getCommand();
        (command instanceof RunCommand run ? run.work : ((RetryCommand) command).work).outputWriter = disk;
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    /** The jobs, in their inputs' name order. */
    private List<Job> jobs() {
        try (LocalState state = LocalState.open(dir.resolve("state"))) {
            return state.jobs().list(null, null, Integer.MAX_VALUE).stream()
                    .sorted((x, y) -> x.spec().input().compareTo(y.spec().input())).toList();
        }
    }

    /** Every file under the folder (hidden ones too), by name. */
    private static List<String> files(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
