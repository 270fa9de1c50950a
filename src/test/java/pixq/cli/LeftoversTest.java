package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.cli.RunCommandTest.pixq;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a killed run leaves in the output folder is cleaned up when the run resumes. */
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
}
