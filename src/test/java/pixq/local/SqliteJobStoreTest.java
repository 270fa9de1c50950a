package pixq.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import java.nio.file.Path;
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
}
