package pixq.local;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.JobQueue;
import pixq.job.JobQueueContract;

/** The contract once on the real clock, waiting as it would for SQS: proves the suite needs no fake time. */
class SqliteJobQueueRealTimeTest extends JobQueueContract {
    @TempDir
    Path state;

    private SqliteDatabase db;

    @Override
    protected JobQueue newQueue(Duration visibilityTimeout, int maxReceives) {
        db = SqliteDatabase.open(state.resolve("pixq.db"));
        return new SqliteJobQueue(db, visibilityTimeout, maxReceives, Duration.ofMillis(100), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }
}
