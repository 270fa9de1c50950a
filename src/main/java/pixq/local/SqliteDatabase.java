package pixq.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import java.util.Map;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import pixq.job.JobState;
import pixq.job.StoreException;

/**
 * The one SQLite file holding the job records and the queue. SQLite rather than H2: another process
 * ({@code pixq status} in a second terminal) can read while {@code pixq run} writes, because in WAL mode
 * readers never wait for the writer; several processes can share the queue, SQLite's file lock ordering
 * their writes; and a committed transaction survives kill -9 (synchronous=NORMAL loses nothing to a
 * killed process, only the last commits to a power cut).
 * H2's embedded mode opens the file for one process at a time (sharing it takes AUTO_SERVER, a TCP server
 * inside whichever process came first).
 *
 * <p>One connection per instance, used by one thread at a time; open several instances for parallel
 * writers, as separate processes would.
 */
public final class SqliteDatabase implements AutoCloseable {
    private static final int BUSY_TIMEOUT_MS = 30_000;
    /** How long an empty state file may be one that another process is creating. */
    private static final Duration BEING_CREATED = Duration.ofSeconds(2);

    private static final String[] SCHEMA = {
        """
        CREATE TABLE IF NOT EXISTS jobs (
            id TEXT PRIMARY KEY,
            batch_id TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            last_error TEXT,
            created_at INTEGER,
            started_at INTEGER,
            finished_at INTEGER,
            outputs TEXT NOT NULL,
            spec TEXT NOT NULL,
            lease_until INTEGER,
            sent_at INTEGER,
            replaced INTEGER NOT NULL DEFAULT 0)""",
        "CREATE INDEX IF NOT EXISTS jobs_by_batch ON jobs (batch_id, state, created_at)",
        "CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, created_at)",
        """
        CREATE TABLE IF NOT EXISTS messages (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            body TEXT NOT NULL,
            sent_at INTEGER NOT NULL,
            visible_at INTEGER NOT NULL,
            receive_count INTEGER NOT NULL,
            receipt TEXT UNIQUE,
            job_id TEXT,
            batch_id TEXT)""",
        "CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages (visible_at)",
        """
        CREATE TABLE IF NOT EXISTS dead_letters (
            id TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            sent_at INTEGER NOT NULL,
            receive_count INTEGER NOT NULL,
            dead_at INTEGER NOT NULL)""",
    };

    /** A queue from before one live message per job: give messages their job and batch, keep the oldest of each job's. */
    private static final String[] MESSAGES_BY_JOB = {
        "ALTER TABLE messages ADD COLUMN job_id TEXT",
        "ALTER TABLE messages ADD COLUMN batch_id TEXT",
        "UPDATE messages SET job_id = json_extract(body, '$.id'), batch_id = json_extract(body, '$.batchId')",
        "DELETE FROM messages WHERE seq NOT IN (SELECT MIN(seq) FROM messages GROUP BY job_id)",
    };

    /**
     * One row per batch with its jobs per state (a column each), kept by triggers inside the very transaction
     * that inserts or moves a job: reading a batch's progress costs one row, whatever the batch's size.
     */
    private static List<String> batchCounts() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS batches (batch_id TEXT PRIMARY KEY, created_at INTEGER, first_started INTEGER,"
                        + " last_finished INTEGER, " + states(st -> column(st) + " INTEGER NOT NULL DEFAULT 0")
                        + ", replaced INTEGER NOT NULL DEFAULT 0)",
                "CREATE TRIGGER IF NOT EXISTS jobs_counted_in AFTER INSERT ON jobs BEGIN"
                        + " INSERT INTO batches (batch_id, created_at) VALUES (NEW.batch_id, NEW.created_at) ON CONFLICT DO NOTHING; "
                        + countMove("0") + " END",
                "CREATE TRIGGER IF NOT EXISTS jobs_counted_move AFTER UPDATE ON jobs BEGIN " + countMove("OLD.state = '%s'") + " END");
    }

    /** Counts NEW's state in, and the old state (a condition per state, or "0" for an insert) out. */
    private static String countMove(String wasIn) {
        return "UPDATE batches SET "
                + states(st -> column(st) + " = " + column(st) + " + (NEW.state = '" + st + "') - (" + wasIn.formatted(st) + ")")
                + ", first_started = min(coalesce(first_started, NEW.started_at), coalesce(NEW.started_at, first_started))"
                + ", last_finished = max(coalesce(last_finished, NEW.finished_at), coalesce(NEW.finished_at, last_finished))"
                + ", replaced = replaced + (NEW.state = 'SUCCEEDED' AND NOT (" + wasIn.formatted(JobState.SUCCEEDED) + ")) * NEW.replaced"
                + " WHERE batch_id = NEW.batch_id;";
    }

    /** Every state, mapped and joined with commas. */
    static String states(Function<JobState, String> each) {
        return Arrays.stream(JobState.values()).map(each).collect(Collectors.joining(", "));
    }

    /** A state's column in {@code batches}. */
    static String column(JobState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /** Work on the connection, inside a transaction or a single statement. */
    @FunctionalInterface
    interface Work<T> {
        T on(Connection connection) throws SQLException;
    }

    private final Path file;
    private final Connection connection;
    /** The hot statements, prepared once: preparing costs more than running most of them. */
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    private SqliteDatabase(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    /**
     * Opens the database file, creating it, its folder and its tables when missing. A file that is there but
     * is not a sound state (empty, not SQLite, damaged pages) is refused, saying how to start afresh: taken as
     * new, it would lose the history silently and redo every output.
     */
    public static SqliteDatabase open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.isRegularFile(file) && Files.size(file) == 0 && !fillsWithin(file, BEING_CREATED)) {
                throw damaged(file, "it is empty (0 bytes)", null);
            }
        } catch (IOException e) {
            throw new StoreException("cannot open the state database " + file + ": " + e.getMessage(), e);
        }
        return connect(file);
    }

    /**
     * Whether an empty file gets its first page within the wait: a state that another process is creating right
     * now (pixq status while the first run starts) is empty for a few milliseconds, and is not a damaged one.
     */
    private static boolean fillsWithin(Path file, Duration wait) throws IOException {
        long until = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() - until < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            if (!Files.isRegularFile(file) || Files.size(file) > 0) {
                return true;
            }
        }
        return false;
    }

    private static SqliteDatabase connect(Path file) {
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(BUSY_TIMEOUT_MS);
            // BEGIN IMMEDIATE takes the write lock up front, so two processes leasing messages queue up
            // behind the busy timeout instead of failing on a read-to-write lock upgrade.
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
            SqliteDatabase db = new SqliteDatabase(file, connection);
            db.checkIntact();
            db.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    boolean countedBefore = s.executeQuery("SELECT 1 FROM sqlite_master WHERE name = 'batches'").next();
                    for (String sql : SCHEMA) {
                        s.execute(sql);
                    }
                    if (!s.executeQuery("SELECT 1 FROM pragma_table_info('jobs') WHERE name = 'lease_until'").next()) {
                        s.execute("ALTER TABLE jobs ADD COLUMN lease_until INTEGER");
                        s.execute("ALTER TABLE jobs ADD COLUMN sent_at INTEGER");
                    }
                    if (!s.executeQuery("SELECT 1 FROM pragma_table_info('jobs') WHERE name = 'replaced'").next()) {
                        s.execute("ALTER TABLE jobs ADD COLUMN replaced INTEGER NOT NULL DEFAULT 0");
                        if (countedBefore) { // its counts gain the column, and their triggers are made again below to keep it
                            s.execute("ALTER TABLE batches ADD COLUMN replaced INTEGER NOT NULL DEFAULT 0");
                            s.execute("DROP TRIGGER IF EXISTS jobs_counted_in");
                            s.execute("DROP TRIGGER IF EXISTS jobs_counted_move");
                        }
                    }
                    if (!s.executeQuery("SELECT 1 FROM pragma_table_info('messages') WHERE name = 'job_id'").next()) {
                        for (String sql : MESSAGES_BY_JOB) {
                            s.execute(sql);
                        }
                    }
                    s.execute("CREATE UNIQUE INDEX IF NOT EXISTS messages_by_job ON messages (job_id)");
                    s.execute("CREATE INDEX IF NOT EXISTS messages_by_batch ON messages (batch_id, visible_at)");
                    for (String sql : batchCounts()) {
                        s.execute(sql);
                    }
                    if (!countedBefore) { // a database from before the counts: count its jobs once
                        s.execute("INSERT INTO batches SELECT batch_id, MIN(created_at), MIN(started_at), MAX(finished_at), "
                                + states(st -> "SUM(state = '" + st + "')") + ", SUM(replaced) FROM jobs GROUP BY batch_id");
                    }
                }
                return null;
            });
            return db;
        } catch (SQLiteException e) {
            boolean damaged = e.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB || e.getResultCode() == SQLiteErrorCode.SQLITE_CORRUPT;
            throw damaged ? damaged(file, e.getMessage(), e)
                    : new StoreException("cannot open the state database " + file + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new StoreException("cannot open the state database " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** SQLite's quick check (every page's structure, no index cross-check): a damaged page is found at open. */
    private void checkIntact() {
        List<String> problems;
        try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery("PRAGMA quick_check(5)")) {
            problems = new ArrayList<>();
            while (rows.next()) {
                problems.add(rows.getString(1));
            }
        } catch (SQLException e) {
            close();
            throw damaged(file, e.getMessage(), e);
        }
        if (!problems.equals(List.of("ok"))) {
            close();
            throw damaged(file, "SQLite's check finds " + String.join("; ", problems), null);
        }
    }

    /** A state that cannot be trusted: never taken as new, and the user told how to start afresh. */
    private static StoreException damaged(Path file, String why, Exception cause) {
        return new StoreException("the state database " + file + " is damaged: " + why + ". Its job history cannot be"
                + " trusted and nothing was run. To start afresh, move it aside (mv " + file + " " + file + ".damaged)"
                + " and run the same command again: finished outputs are then made again.", cause);
    }

    /** Runs the work in one write transaction: all of it or none of it happens. */
    synchronized <T> T inTransaction(Work<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.on(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackAfter(e);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Runs a single statement (or reads), each statement its own transaction. */
    synchronized <T> T run(Work<T> work) {
        try {
            return work.on(connection);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * A statement prepared once per database and kept until {@link #close()}; for use inside {@link #run}
     * or {@link #inTransaction} only (they hold the lock), and never closed by the caller.
     */
    PreparedStatement prepared(String sql) throws SQLException {
        PreparedStatement statement = prepared.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            prepared.put(sql, statement);
        }
        return statement;
    }

    /** Rolls back, unless SQLite already did (after a full disk it does): the first error is the one that counts. */
    private void rollbackAfter(Exception first) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            first.addSuppressed(e);
        }
    }

    /** The error a user can act on: a full disk said plainly, anything else with the database's name. */
    private StoreException failure(SQLException e) {
        boolean full = e instanceof SQLiteException lite && (lite.getResultCode() == SQLiteErrorCode.SQLITE_FULL
                || lite.getResultCode() == SQLiteErrorCode.SQLITE_IOERR);
        // "cannot commit - no transaction is active": SQLite rolled back on its own, as it does when a write finds no room.
        if (full || String.valueOf(e.getMessage()).matches("(?s).*(disk is full|cannot commit - no transaction is active).*")) {
            return new StoreException("the state database " + file + " cannot be written: its disk is full or failing ("
                    + e.getMessage() + "); free some space, then run the same command again to resume", e);
        }
        return new StoreException("state database " + file + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            for (PreparedStatement statement : prepared.values()) {
                statement.close();
            }
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the state database " + file + ": " + e.getMessage(), e);
        }
    }

    /** Instants as epoch nanoseconds: exact, and they sort. */
    static Long nanos(Instant instant) {
        return instant == null ? null : Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
