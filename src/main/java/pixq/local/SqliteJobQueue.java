package pixq.local;

import static pixq.local.SqliteDatabase.instant;
import static pixq.local.SqliteDatabase.nanos;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import pixq.job.Delivery;
import pixq.job.JobQueue;
import pixq.job.JobSpec;

/**
 * The queue in the state database, with SQS's semantics. Receiving leases messages in one write
 * transaction (hidden until now + visibility timeout, receive count + 1, a fresh receipt), so no two
 * threads or processes get the same visible message. Delete and retryLater need the current receipt: a
 * worker whose lease ran out and whose message someone else received changes nothing. A message received
 * {@code maxReceives} times that becomes visible again moves to the dead letters instead (SQS's redrive
 * policy); {@link #redriveDeadLetters()} sends them back.
 */
public final class SqliteJobQueue implements JobQueue {
    private static final Duration POLL = Duration.ofMillis(50);
    /** Exhausted messages one receive may dead-letter beyond the ones it leases (the rest wait for the next). */
    private static final int MAX_DEAD_PER_RECEIVE = 100;

    private final SqliteDatabase db;
    private final Duration visibilityTimeout;
    private final int maxReceives;
    private final Duration receiveWait;
    private final Clock clock;
    private final List<String> batches;
    private final Consumer<DeadLetter> onDeadLetter;

    /**
     * @param visibilityTimeout how long a received message stays hidden from other receivers
     * @param maxReceives       receives after which a message is dead-lettered, as SQS's maxReceiveCount
     * @param receiveWait       how long receive waits when no message is visible (real time, not the clock)
     * @param clock             the time that leases and delays run on
     */
    public SqliteJobQueue(SqliteDatabase db, Duration visibilityTimeout, int maxReceives, Duration receiveWait, Clock clock) {
        if (visibilityTimeout.isNegative() || maxReceives < 1 || receiveWait.isNegative()) {
            throw new IllegalArgumentException("visibility timeout and receive wait must not be negative, max receives at least 1");
        }
        this.db = db;
        this.visibilityTimeout = visibilityTimeout;
        this.maxReceives = maxReceives;
        this.receiveWait = receiveWait;
        this.clock = clock;
        this.batches = List.of();
        this.onDeadLetter = letter -> {};
    }

    private SqliteJobQueue(SqliteJobQueue of, List<String> batches, Consumer<DeadLetter> onDeadLetter) {
        this.db = of.db;
        this.visibilityTimeout = of.visibilityTimeout;
        this.maxReceives = of.maxReceives;
        this.receiveWait = of.receiveWait;
        this.clock = of.clock;
        this.batches = List.copyOf(batches);
        this.onDeadLetter = onDeadLetter;
    }

    /**
     * This queue, receiving only the messages of these batches: a run works off its own batch, and
     * leaves other batches' messages for their own command.
     */
    public SqliteJobQueue only(Collection<String> batchIds) {
        return new SqliteJobQueue(this, List.copyOf(new LinkedHashSet<>(batchIds)), onDeadLetter);
    }

    /** This queue, telling {@code listener} of each message it dead-letters, once that is committed. */
    public SqliteJobQueue onDeadLetter(Consumer<DeadLetter> listener) {
        return new SqliteJobQueue(this, batches, listener);
    }

    /**
     * Whether any message of this queue's batches is left, visible or leased: none means every job that
     * was sent has been settled (done, failed or dead-lettered).
     */
    public boolean isEmpty() {
        return db.run(c -> {
            PreparedStatement select = db.prepared("SELECT 1 FROM messages" + batchFilter("WHERE") + " LIMIT 1");
            bindBatches(select, 1);
            try (ResultSet rs = select.executeQuery()) {
                return !rs.next();
            }
        });
    }

    /** A message that was received too often without being deleted. */
    public record DeadLetter(String messageId, String body, int receiveCount, Instant deadAt) {}

    @Override
    public void send(List<JobSpec> jobs) {
        long now = now();
        db.inTransaction(c -> {
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO messages (id, body, sent_at, visible_at, receive_count, job_id, batch_id) VALUES (?, ?, ?, ?, 0, ?, ?)"
                            + " ON CONFLICT (job_id) DO NOTHING")) { // one live message per job, however often it is sent
                for (JobSpec job : jobs) {
                    insert.setString(1, UUID.randomUUID().toString());
                    insert.setString(2, job.toJson());
                    insert.setLong(3, now);
                    insert.setLong(4, now);
                    insert.setString(5, job.id());
                    insert.setString(6, job.batchId());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<Delivery> receive(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        long deadline = System.nanoTime() + receiveWait.toNanos();
        while (true) {
            List<DeadLetter> dead = new ArrayList<>();
            List<Delivery> leased = db.inTransaction(c -> lease(c, max, dead));
            dead.forEach(onDeadLetter);
            long left = deadline - System.nanoTime();
            if (!leased.isEmpty() || left <= 0) {
                return leased;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
    }

    /**
     * Leases up to {@code max} visible messages, oldest first. A visible message already received
     * {@code maxReceives} times goes to the dead letters instead (as SQS's redrive policy moves it). Only
     * the messages looked at are read, so a receive costs the same whatever the backlog.
     */
    private List<Delivery> lease(Connection c, int max, List<DeadLetter> dead) throws SQLException {
        long now = now();
        List<Delivery> leased = new ArrayList<>();
        PreparedStatement select = db.prepared("SELECT seq, id, body, receive_count, sent_at FROM messages"
                + batchFilter("WHERE") + (batches.isEmpty() ? " WHERE" : " AND") + " visible_at <= ? ORDER BY visible_at, seq LIMIT ?");
        PreparedStatement lease = db.prepared("UPDATE messages SET visible_at = ?, receive_count = ?, receipt = ? WHERE seq = ?");
        lease.clearBatch(); // a kept statement: nothing left from a receive that failed half-way
        int next = bindBatches(select, 1);
        select.setLong(next, now);
        select.setInt(next + 1, max + MAX_DEAD_PER_RECEIVE);
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next() && leased.size() < max) {
                int received = rs.getInt("receive_count");
                if (received >= maxReceives) {
                    dead.add(bury(c, rs, now));
                    continue;
                }
                Delivery delivery = new Delivery(rs.getString("id"), rs.getString("body"), UUID.randomUUID().toString(), received + 1);
                lease.setLong(1, now + visibilityTimeout.toNanos());
                lease.setInt(2, delivery.receiveCount());
                lease.setString(3, delivery.receipt());
                lease.setLong(4, rs.getLong("seq"));
                lease.addBatch();
                leased.add(delivery);
            }
        }
        lease.executeBatch();
        return leased;
    }

    /**
     * Dead-letters every visible message that has had its last receive, whatever its batch: for a command
     * that opens the state, so that jobs whose workers died on each receive are FAILED before anything
     * else (and {@code pixq redrive} finds them), not whenever some run of their batch next receives.
     */
    public void deadLetterExhausted() {
        long now = now();
        List<DeadLetter> dead = new ArrayList<>();
        db.inTransaction(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT seq, id, body, receive_count, sent_at FROM messages WHERE visible_at <= ? AND receive_count >= ?")) {
                select.setLong(1, now);
                select.setInt(2, maxReceives);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        dead.add(bury(c, rs, now));
                    }
                }
            }
            return null;
        });
        dead.forEach(onDeadLetter);
    }

    /** Moves the message at the result set's row to the dead letters. */
    private static DeadLetter bury(Connection c, ResultSet rs, long now) throws SQLException {
        DeadLetter letter = new DeadLetter(rs.getString("id"), rs.getString("body"), rs.getInt("receive_count"), instant(now));
        try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO dead_letters (id, body, sent_at, receive_count, dead_at) VALUES (?, ?, ?, ?, ?)");
             PreparedStatement delete = c.prepareStatement("DELETE FROM messages WHERE seq = ?")) {
            insert.setString(1, letter.messageId());
            insert.setString(2, letter.body());
            insert.setLong(3, rs.getLong("sent_at"));
            insert.setInt(4, letter.receiveCount());
            insert.setLong(5, now);
            insert.executeUpdate();
            delete.setLong(1, rs.getLong("seq"));
            delete.executeUpdate();
        }
        return letter;
    }

    private String batchFilter(String keyword) {
        return batches.isEmpty() ? "" : " " + keyword + " batch_id IN (" + String.join(", ", Collections.nCopies(batches.size(), "?")) + ")";
    }

    /** Binds this queue's batch ids from {@code first} on; returns the next parameter's index. */
    private int bindBatches(PreparedStatement s, int first) throws SQLException {
        for (int i = 0; i < batches.size(); i++) {
            s.setString(first + i, batches.get(i));
        }
        return first + batches.size();
    }

    /** Messages here wait until received, however long: one sent is never sent again (the job id is unique, too). */
    @Override
    public Duration retention() {
        return ChronoUnit.FOREVER.getDuration();
    }

    /** Deletes the message if the receipt is still the current one; a stale receipt changes nothing. */
    @Override
    public void delete(Delivery delivery) {
        db.run(c -> {
            PreparedStatement delete = db.prepared("DELETE FROM messages WHERE receipt = ?");
            delete.setString(1, delivery.receipt());
            return delete.executeUpdate();
        });
    }

    /** Makes the message visible after the delay if the receipt is still the current one. */
    @Override
    public void retryLater(Delivery delivery, Duration delay) {
        long visibleAt = now() + delay.toNanos();
        db.run(c -> {
            PreparedStatement update = db.prepared("UPDATE messages SET visible_at = ? WHERE receipt = ?");
            update.setLong(1, visibleAt);
            update.setString(2, delivery.receipt());
            return update.executeUpdate();
        });
    }

    /** Visible again now with its receive count as before this receive, if the receipt is still the current one. */
    @Override
    public void handBackUnreceived(Delivery delivery) {
        long now = now();
        db.run(c -> {
            PreparedStatement update = db.prepared(
                    "UPDATE messages SET visible_at = ?, receive_count = MAX(0, receive_count - 1), receipt = NULL WHERE receipt = ?");
            update.setLong(1, now);
            update.setString(2, delivery.receipt());
            return update.executeUpdate();
        });
    }

    /**
     * Keeps a message another queue dead-lettered (pixq serve's dead-letter function settled it) with this queue's
     * own dead letters, for {@link #redriveDeadLetters()}; kept once however often it comes.
     */
    public void archiveDeadLetter(String messageId, String body, int receiveCount) {
        long now = now();
        db.run(c -> {
            PreparedStatement insert = db.prepared("INSERT INTO dead_letters (id, body, sent_at, receive_count, dead_at)"
                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING");
            insert.setString(1, messageId);
            insert.setString(2, body);
            insert.setLong(3, now);
            insert.setInt(4, receiveCount);
            insert.setLong(5, now);
            return insert.executeUpdate();
        });
    }

    /** Dead letters, oldest first. (A message is dead-lettered when a receive finds it exhausted.) */
    public List<DeadLetter> deadLetters(int limit) {
        return db.run(c -> {
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT id, body, receive_count, dead_at FROM dead_letters ORDER BY dead_at, rowid LIMIT ?")) {
                select.setInt(1, limit);
                List<DeadLetter> letters = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        letters.add(new DeadLetter(rs.getString("id"), rs.getString("body"), rs.getInt("receive_count"),
                                instant(rs.getLong("dead_at"))));
                    }
                }
                return letters;
            }
        });
    }

    /**
     * Sends every dead letter back to the queue, visible now with a fresh receive count; returns how many. A
     * letter that names no job (an unreadable message the dead-letter function archived) stays where it is.
     */
    public int redriveDeadLetters() {
        long now = now();
        // CASE, not AND: SQLite need not stop at json_valid, and json_extract fails on text that is not JSON
        String namesAJob = " WHERE CASE WHEN json_valid(body) THEN json_extract(body, '$.id') IS NOT NULL"
                + " AND json_extract(body, '$.batchId') IS NOT NULL ELSE 0 END";
        return db.inTransaction(c -> {
            try (PreparedStatement back = c.prepareStatement(
                    "INSERT INTO messages (id, body, sent_at, visible_at, receive_count, job_id, batch_id)"
                            + " SELECT id, body, sent_at, ?, 0, json_extract(body, '$.id'), json_extract(body, '$.batchId')"
                            + " FROM dead_letters" + namesAJob + " ON CONFLICT (job_id) DO NOTHING");
                 PreparedStatement clear = c.prepareStatement("DELETE FROM dead_letters" + namesAJob)) {
                back.setLong(1, now);
                int moved = back.executeUpdate();
                clear.executeUpdate();
                return moved;
            }
        });
    }

    /**
     * Makes every leased message visible now and voids its receipt: for a run restarted after kill -9,
     * which would otherwise wait out the dead run's leases. Only when no other worker is alive
     * ({@link LocalState#tryLockRun()}).
     */
    public int releaseLeases() {
        long now = now();
        return db.run(c -> {
            try (PreparedStatement release = c.prepareStatement(
                    "UPDATE messages SET visible_at = ?, receipt = NULL WHERE visible_at > ? AND receipt IS NOT NULL")) {
                release.setLong(1, now);
                release.setLong(2, now);
                return release.executeUpdate();
            }
        });
    }

    private long now() {
        return nanos(clock.instant());
    }
}
