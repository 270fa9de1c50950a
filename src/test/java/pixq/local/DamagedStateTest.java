package pixq.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
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
    void aStateBeingCreatedByAnotherOpenIsNeverTakenForADamagedOne() throws Exception {
        // pixq status in another terminal while the first pixq run creates the state: both open it at once
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 30; round++) {
                Path folder = dir.resolve("fresh" + round);
                List<Future<?>> opens = List.of(two.submit(() -> LocalState.open(folder).close()),
                        two.submit(() -> LocalState.open(folder).close()));
                for (Future<?> open : opens) {
                    open.get(30, TimeUnit.SECONDS); // throws if either found a 0-byte, "damaged" state
                }
                try (Stream<Path> left = Files.list(folder)) {
                    assertEquals(List.of(), left.filter(f -> f.toString().endsWith(".new")).toList(), "drafts left behind");
                }
            }
        } finally {
            two.shutdownNow();
        }
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
