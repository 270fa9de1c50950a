package pixq.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.Await;
import pixq.job.Job;
import pixq.job.MissingTool;
import pixq.job.StoreException;

/** A state file damaged behind pixq's back (by truncate, dd, the sqlite3 shell) is refused at open, never taken as new. */
@Timeout(60)
class DamagedStateTest {
    @TempDir
    Path dir;

    @Test
    void anEmptyStateFileIsAnErrorNamingItNotAFreshState() throws Exception {
        Path db = aStateWithJobs();
        shell("truncate -s 0 " + db);

        assertRefusedNaming(db, "empty (0 bytes)");
        assertEquals(0, Files.size(db), "the damaged file is left as it was");
    }

    @Test
    void garbageOverTheJobsTablesPagesIsFoundAtOpen() throws Exception {
        Path db = aStateWithJobs();
        if (!MissingTool.onPath("sqlite3")) {
            MissingTool.skipOrFail("sqlite3 is not installed (apt-get install sqlite3)");
        }
        // the jobs table's first leaf page (by the sqlite3 shell, not pixq), then random bytes over it
        String page = shell("sqlite3 " + db + " \"SELECT rootpage FROM sqlite_master WHERE name = 'jobs'\"").strip();
        shell("dd if=/dev/urandom of=" + db + " bs=4096 seek=" + (Integer.parseInt(page) - 1) + " count=1 conv=notrunc");

        assertRefusedNaming(db, "is damaged");
    }

    @Test
    void aFileThatIsNotADatabaseIsRefused() throws Exception {
        Path db = aStateWithJobs();
        shell("dd if=/dev/urandom of=" + db + " bs=100 count=1 conv=notrunc"); // over the header

        assertRefusedNaming(db, "is damaged");
    }

    @Test
    void anEmptyStateThatAnotherProcessIsCreatingIsWaitedForNotTakenForADamagedOne() throws Exception {
        // given the 0-byte file a first pixq run shows for a moment while it creates the state
        Path made = dir.resolve("made");
        LocalState.open(made).close();
        Path folder = Files.createDirectories(dir.resolve("creating"));
        Path db = Files.createFile(folder.resolve("pixq.db"));
        // when another command opens it meanwhile
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread opener = new Thread(() -> {
            try {
                LocalState.open(folder).close();
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        opener.start();
        Await.until("the opener to wait for the file or fail", Duration.ofSeconds(30),
                () -> opener.getState() == Thread.State.TIMED_WAITING || !opener.isAlive());
        Files.move(made.resolve("pixq.db"), db, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        opener.join(TimeUnit.SECONDS.toMillis(30));
        // then it opened the state once the creator wrote it
        assertEquals(null, failed.get(), "the state being created was refused");
        assertFalse(opener.isAlive(), "the opener still waits");
    }

    private static void assertRefusedNaming(Path db, String why) {
        StoreException refused = assertThrows(StoreException.class, () -> LocalState.open(db.getParent()).close());
        assertTrue(refused.getMessage().contains(db.toString()) && refused.getMessage().contains(why)
                && refused.getMessage().contains("mv " + db + " " + db + ".damaged"), refused.getMessage());
    }

    /** A state with a few pages of jobs, checkpointed into the database file (closing does that). */
    private Path aStateWithJobs() {
        Path folder = dir.resolve("state");
        try (LocalState state = LocalState.open(folder)) {
            List<Job> jobs = IntStream.range(0, 300)
                    .mapToObj(i -> aJob().spec(aSpec().input("file:///in/photo-" + i + ".jpg")).build()).toList();
            state.jobs().insertNew(jobs);
        }
        Path db = folder.resolve("pixq.db");
        assertTrue(Files.exists(db) && !Files.exists(folder.resolve("pixq.db-wal")), "checkpointed at close");
        return db;
    }

    private static String shell(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, command + ": " + out);
        return out;
    }
}
