package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.cli.RunCommandTest.pixq;
import static pixq.cli.RunCommandTest.pixqOut;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.local.LocalState;

/** What a killed run leaves, in the output folder or in its state, is cleaned up or finished when the run resumes. */
@Timeout(120)
class LeftoversTest {
    @TempDir
    Path dir;

    @Test
    void temp_files_a_killed_run_left_are_removed_when_the_run_resumes_and_a_write_in_progress_is_not() throws Exception {
        // given: temp files as a run killed while writing leaves them (complete JPEGs under a hidden name), one
        // in a sub-folder, and one being written now by another process (newer than this run)
        Path out = dir.resolve("out");
        Files.createDirectories(out.resolve("sub"));
        Path killed = out.resolve(".pixq-" + UUID.randomUUID() + ".tmp");
        Path killedInSub = out.resolve("sub/.pixq-" + UUID.randomUUID() + ".tmp");
        for (Path temp : new Path[] {killed, killedInSub}) {
            Files.copy(Path.of("samples/landscape.jpg"), temp);
            Files.setLastModifiedTime(temp, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        }
        Path inProgress = Files.copy(Path.of("samples/landscape.jpg"), dir.resolve("out/.pixq-" + UUID.randomUUID() + ".tmp"));
        Files.setLastModifiedTime(inProgress, FileTime.from(Instant.now().plusSeconds(5)));

        // when: the same command again
        int exit = pixq("run", "samples/landscape.jpg", "--out", dir.resolve("out").toString(), "--recipe", "thumbnail",
                "--state", dir.resolve("state").toString());

        // then
        assertEquals(0, exit);
        assertFalse(Files.exists(killed), "left by a killed run");
        assertFalse(Files.exists(killedInSub), "left by a killed run, in a sub-folder");
        assertTrue(Files.exists(inProgress), "another writer's file in progress");
    }

    @Test
    void a_job_a_killed_run_requeued_but_never_sent_is_finished_by_the_command_status_names() throws Exception {
        // given a batch of two images, done, then one output deleted and the run killed after requeuing that job's
        // record and before sending its message (the submitter's two steps)
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(Path.of("samples/gray.jpg"), in.resolve("a.jpg"));
        Files.copy(Path.of("samples/landscape.jpg"), in.resolve("IMG 0001 (1).jpg"));
        String state = dir.resolve("state").toString();
        assertEquals(0, pixq("run", in.toString(), "--out", dir.resolve("out").toString(), "--recipe", "thumbnail", "--state", state));
        String batch;
        try (LocalState local = LocalState.open(dir.resolve("state"))) {
            Job done = local.jobs().list(null, JobState.SUCCEEDED, 10).stream()
                    .filter(job -> job.spec().input().endsWith("(1).jpg")).findFirst().orElseThrow();
            batch = done.spec().batchId();
            for (String output : done.outputs()) {
                Files.delete(Path.of(URI.create(output)));
            }
            assertTrue(local.jobs().update(done, done.requeue()));
        }

        // when status names the command that resumes it, and that command runs as printed
        String status = pixqOut("status", batch, "--state", state);
        assertTrue(status.contains("queued 1"), status);
        String hint = status.lines().filter(line -> line.contains("pixq retry")).findFirst().orElseThrow(() -> new AssertionError(status));
        int exit = pixq(hint.substring(hint.indexOf("pixq retry") + "pixq ".length()).split(" "));

        // then the job is sent and done: nothing is left queued with no message to run it
        assertEquals(0, exit, status);
        try (LocalState local = LocalState.open(dir.resolve("state"))) {
            assertEquals(List.of(JobState.SUCCEEDED, JobState.SUCCEEDED),
                    local.jobs().list(batch, null, 10).stream().map(Job::state).toList());
        }
        assertTrue(Files.exists(dir.resolve("out/IMG 0001 (1)-thumb.jpg")));
    }
}
