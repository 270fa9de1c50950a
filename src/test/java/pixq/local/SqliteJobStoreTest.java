package pixq.local;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
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
}
