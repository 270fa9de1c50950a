package pixq.local;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.JobBuilders;
import pixq.job.JobQueue;
import pixq.job.JobQueueContract;
import pixq.job.MutableClock;

/** The contract on a clock the test moves, so waiting for a visibility timeout takes no time. */
class SqliteJobQueueTest extends JobQueueContract {
    @TempDir
    Path state;

    private final MutableClock clock = new MutableClock(JobBuilders.T0);
    private SqliteDatabase db;

    @Override
    protected JobQueue newQueue(Duration visibilityTimeout, int maxReceives) {
        db = SqliteDatabase.open(state.resolve("pixq.db"));
        return new SqliteJobQueue(db, visibilityTimeout, maxReceives, Duration.ofMillis(20), clock);
    }

    @Override
    protected void waitFor(Duration duration) {
        clock.advance(duration.plusMillis(1));
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }
}
