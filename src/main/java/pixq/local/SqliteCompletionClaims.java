package pixq.local;

import java.sql.PreparedStatement;
import java.sql.Statement;
import pixq.job.CompletionClaims;

/**
 * Claims of batch completions in the state database's {@code manifests} table (a row per batch: the
 * completion whose manifest was written). A claim is one upsert, a transaction of its own: of two pollers or
 * processes finishing a batch's last jobs together, one changes the row and the other finds it claimed.
 */
public final class SqliteCompletionClaims implements CompletionClaims {
    private final SqliteDatabase db;

    public SqliteCompletionClaims(SqliteDatabase db) {
        this.db = db;
        db.run(c -> {
            try (Statement s = c.createStatement()) {
                return s.execute("CREATE TABLE IF NOT EXISTS manifests (batch_id TEXT PRIMARY KEY, completion INTEGER NOT NULL)");
            }
        });
    }

    @Override
    public boolean claim(String batchId, long completion) {
        return db.run(c -> {
            PreparedStatement upsert = db.prepared("INSERT INTO manifests (batch_id, completion) VALUES (?, ?)"
                    + " ON CONFLICT (batch_id) DO UPDATE SET completion = excluded.completion WHERE completion < excluded.completion");
            upsert.setString(1, batchId);
            upsert.setLong(2, completion);
            return upsert.executeUpdate() == 1;
        });
    }

    @Override
    public void release(String batchId, long completion) {
        db.run(c -> {
            PreparedStatement delete = db.prepared("DELETE FROM manifests WHERE batch_id = ? AND completion = ?");
            delete.setString(1, batchId);
            delete.setLong(2, completion);
            return delete.executeUpdate();
        });
    }
}
