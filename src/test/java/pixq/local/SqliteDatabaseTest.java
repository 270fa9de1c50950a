package pixq.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.aJob;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import pixq.job.Job;
import pixq.job.StoreException;

class SqliteDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void aFullDiskIsSaidPlainlyEvenWhenSqliteOnlyReportsTheRollbackItDid() {
        // given: what SQLite reports on a full disk, at a statement or (having rolled back itself) at commit
        List<SQLException> reported = List.of(
                new SQLiteException("[SQLITE_FULL] database or disk is full", SQLiteErrorCode.SQLITE_FULL),
                new SQLiteException("[SQLITE_ERROR] SQL error or missing database (cannot commit - no transaction is active)",
                        SQLiteErrorCode.SQLITE_ERROR));

        try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("pixq.db"))) {
            for (SQLException error : reported) {
                // when
                StoreException thrown = assertThrows(StoreException.class, () -> db.inTransaction(c -> {
                    throw error;
                }));

                // then
                assertTrue(thrown.getMessage().contains("cannot be written: its disk is full or failing")
                        && thrown.getMessage().contains("run the same command again to resume"), thrown.getMessage());
            }
        }
    }

    @Test
    void opensInWalModeCreatingTheStateFolder() {
        // given
        Path file = dir.resolve("state/.pixq/pixq.db");

        // when
        try (SqliteDatabase db = SqliteDatabase.open(file)) {
            String mode = db.run(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
                    rs.next();
                    return rs.getString(1);
                }
            });

            // then
            assertEquals("wal", mode);
            assertTrue(Files.isRegularFile(file));
        }
    }

    @Test
    void readerOnAnotherConnectionSeesCommittedJobsWhileTheWriterKeepsWriting() {
        // given: a writer and a reader, as `pixq run` and `pixq status` in two terminals
        try (SqliteDatabase writerDb = SqliteDatabase.open(dir.resolve("pixq.db"));
             SqliteDatabase readerDb = SqliteDatabase.open(dir.resolve("pixq.db"))) {
            SqliteJobStore writer = new SqliteJobStore(writerDb);
            SqliteJobStore reader = new SqliteJobStore(readerDb);
            Job job = aJob().build();
            writer.insertNew(List.of(job));

            // when: the writer holds a write transaction open, the reader reads
            Optional<Job> seen = writerDb.inTransaction(c -> {
                c.createStatement().executeUpdate("UPDATE jobs SET last_error = 'uncommitted'");
                return reader.find(job.id());
            });

            // then: no waiting, and only committed data
            assertEquals(Optional.of(job), seen);
        }
    }

    @Test
    void instantsKeepTheirNanoseconds() {
        Instant instant = Instant.parse("2024-05-01T10:00:00.123456789Z");
        assertEquals(instant, SqliteDatabase.instant(SqliteDatabase.nanos(instant)));
        Instant beforeEpoch = Instant.parse("1969-12-31T23:59:59.5Z");
        assertEquals(beforeEpoch, SqliteDatabase.instant(SqliteDatabase.nanos(beforeEpoch)));
    }
}
