package pixq.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.Job;
import pixq.job.JobBuilders;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.job.JobStoreContract;

class SqliteJobStoreTest extends JobStoreContract {
    @TempDir
    Path state;

    private SqliteDatabase db;

    @Override
    protected JobStore newStore() {
        db = SqliteDatabase.open(state.resolve("pixq.db"));
        return new SqliteJobStore(db);
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void aDatabaseFromBeforeTheCountsIsCountedWhenOpened() {
        // given: jobs stored by a version without the batches table
        JobStore store = newStore();
        Job a = aJob().spec(aSpec().batch("old").input("file:/in/a.jpg")).build();
        Job b = aJob().spec(aSpec().batch("old").input("file:/in/b.jpg")).build();
        store.insertNew(List.of(a, b));
        store.update(a, a.cancel(JobBuilders.CLOCK));
        db.run(c -> {
            try (var s = c.createStatement()) {
                s.execute("DROP TRIGGER jobs_counted_in");
                s.execute("DROP TRIGGER jobs_counted_move");
                return s.execute("DROP TABLE batches");
            }
        });
        db.close();

        // when
        JobStore reopened = newStore();

        // then
        assertEquals(1, reopened.counts("old").of(JobState.QUEUED));
        assertEquals(1, reopened.counts("old").of(JobState.CANCELED));
    }

    @Test
    void aDatabaseFromBeforeReplacedOutputsCountsThemOnceOpened() {
        // given: a version without the replaced columns, whose count triggers know nothing of them
        JobStore store = newStore();
        Job earlier = aJob().spec(aSpec().batch("old").input("file:/in/earlier.jpg")).build();
        store.insertNew(List.of(earlier));
        db.run(c -> {
            try (var s = c.createStatement()) {
                s.execute("DROP TRIGGER jobs_counted_in");
                s.execute("DROP TRIGGER jobs_counted_move");
                s.execute("ALTER TABLE jobs DROP COLUMN replaced");
                s.execute("ALTER TABLE batches DROP COLUMN replaced");
                s.execute("CREATE TRIGGER jobs_counted_in AFTER INSERT ON jobs BEGIN SELECT 1; END");
                return s.execute("CREATE TRIGGER jobs_counted_move AFTER UPDATE ON jobs BEGIN SELECT 1; END");
            }
        });
        db.close();

        // when it is opened, and a job of its batch succeeds over 3 earlier outputs
        JobStore reopened = newStore();
        Job queued = aJob().spec(aSpec().batch("old").input("file:/in/a.jpg")).build();
        reopened.insertNew(List.of(queued));
        Job running = queued.start(JobBuilders.CLOCK, Duration.ofMinutes(1));
        reopened.update(queued, running);
        reopened.update(running, running.succeed(List.of("file:/out/a.png"), 3, JobBuilders.CLOCK));

        // then the earlier job is still there, and the batch counts what happened since
        assertEquals(0, reopened.find(earlier.id()).orElseThrow().replaced());
        assertEquals(3, reopened.counts("old").replaced());
        assertEquals(1, reopened.counts("old").of(JobState.SUCCEEDED));
        assertEquals(1, reopened.counts("old").of(JobState.QUEUED));
    }
}
