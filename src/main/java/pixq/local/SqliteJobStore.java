package pixq.local;

import static pixq.local.SqliteDatabase.instant;
import static pixq.local.SqliteDatabase.nanos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pixq.job.BatchCounts;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.recipe.Json;

/**
 * Job records in the {@code jobs} table of the state database; the spec is kept as its queue JSON. An
 * update is conditional on the state, attempts and lease end the writer read.
 */
public final class SqliteJobStore implements JobStore {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final String COLUMNS = "id, batch_id, state, attempts, last_error, created_at, started_at, finished_at, outputs, spec, lease_until, sent_at, replaced";

    private final SqliteDatabase db;

    public SqliteJobStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public List<Job> insertNew(List<Job> jobs) {
        return db.inTransaction(c -> {
            List<Job> inserted = new ArrayList<>();
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO jobs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                for (Job job : jobs) {
                    insert.setString(1, job.id());
                    insert.setString(2, job.spec().batchId());
                    bindRecord(insert, 3, job);
                    if (insert.executeUpdate() == 1) {
                        inserted.add(job);
                    }
                }
            }
            return inserted;
        });
    }

    @Override
    public Optional<Job> find(String id) {
        return db.run(c -> {
            PreparedStatement select = db.prepared("SELECT " + COLUMNS + " FROM jobs WHERE id = ?");
            select.setString(1, id);
            return jobsOf(select).stream().findFirst();
        });
    }

    @Override
    public boolean update(Job previous, Job next) {
        if (!previous.id().equals(next.id())) {
            throw new IllegalArgumentException("cannot replace job " + previous.id() + " by job " + next.id());
        }
        return db.run(c -> {
            PreparedStatement update = db.prepared("""
                    UPDATE jobs SET state = ?, attempts = ?, last_error = ?, created_at = ?, started_at = ?,
                                    finished_at = ?, outputs = ?, spec = ?, lease_until = ?, sent_at = ?, replaced = ?
                    WHERE id = ? AND state = ? AND attempts = ? AND lease_until IS ?""");
            bindRecord(update, 1, next);
            update.setString(12, previous.id());
            update.setString(13, previous.state().name());
            update.setInt(14, previous.attempts());
            setInstant(update, 15, previous.leaseUntil());
            return update.executeUpdate() == 1;
        });
    }

    @Override
    public List<Job> list(String batchId, JobState state, int limit) {
        return select(batchId, state, null, limit);
    }

    @Override
    public List<Job> listAfter(String batchId, JobState state, String afterId, int limit) {
        if (afterId != null && find(afterId).isEmpty()) {
            throw new IllegalArgumentException("no job " + afterId);
        }
        return select(batchId, state, afterId, limit);
    }

    private List<Job> select(String batchId, JobState state, String afterId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM jobs WHERE 1 = 1");
        List<String> params = new ArrayList<>();
        if (batchId != null) {
            sql.append(" AND batch_id = ?");
            params.add(batchId);
        }
        if (state != null) {
            sql.append(" AND state = ?");
            params.add(state.name());
        }
        if (afterId != null) {
            sql.append(" AND (created_at, rowid) > (SELECT created_at, rowid FROM jobs WHERE id = ?)");
            params.add(afterId);
        }
        sql.append(" ORDER BY created_at, rowid LIMIT ?");
        return db.run(c -> {
            try (PreparedStatement select = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < params.size(); i++) {
                    select.setString(i + 1, params.get(i));
                }
                select.setInt(params.size() + 1, limit);
                return jobsOf(select);
            }
        });
    }

    @Override
    public BatchCounts counts(String batchId) {
        return db.run(c -> {
            PreparedStatement select = db.prepared("SELECT * FROM batches WHERE batch_id = ?");
            select.setString(1, batchId);
            List<BatchCounts> found = countsOf(select);
            return found.isEmpty() ? new BatchCounts(batchId, Map.of(), null, null, 0) : found.get(0);
        });
    }

    @Override
    public List<BatchCounts> batches() {
        return db.run(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT * FROM batches ORDER BY created_at, rowid")) {
                return countsOf(select);
            }
        });
    }

    private static List<BatchCounts> countsOf(PreparedStatement select) throws SQLException {
        List<BatchCounts> all = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                Map<JobState, Long> byState = new EnumMap<>(JobState.class);
                for (JobState state : JobState.values()) {
                    byState.put(state, rs.getLong(SqliteDatabase.column(state)));
                }
                all.add(new BatchCounts(rs.getString("batch_id"), byState, instantOf(rs, "first_started"), instantOf(rs, "last_finished"),
                        rs.getLong("replaced")));
            }
        }
        return all;
    }

    /** Binds state, attempts, last error, the three instants, outputs, spec, lease end, sent time and replaced outputs from {@code first} on. */
    private static void bindRecord(PreparedStatement s, int first, Job job) throws SQLException {
        s.setString(first, job.state().name());
        s.setInt(first + 1, job.attempts());
        s.setString(first + 2, job.lastError());
        setInstant(s, first + 3, job.createdAt());
        setInstant(s, first + 4, job.startedAt());
        setInstant(s, first + 5, job.finishedAt());
        s.setString(first + 6, toJson(job.outputs()));
        s.setString(first + 7, job.spec().toJson());
        setInstant(s, first + 8, job.leaseUntil());
        setInstant(s, first + 9, job.sentAt());
        s.setInt(first + 10, job.replaced());
    }

    private static void setInstant(PreparedStatement s, int index, Instant instant) throws SQLException {
        if (instant == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setLong(index, nanos(instant));
        }
    }

    private static List<Job> jobsOf(PreparedStatement select) throws SQLException {
        List<Job> jobs = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                jobs.add(new Job(
                        JobSpec.fromJson(rs.getString("spec")),
                        JobState.valueOf(rs.getString("state")),
                        rs.getInt("attempts"),
                        rs.getString("last_error"),
                        instantOf(rs, "created_at"),
                        instantOf(rs, "started_at"),
                        instantOf(rs, "finished_at"),
                        JSON.readValue(rs.getString("outputs"), STRINGS),
                        instantOf(rs, "lease_until"),
                        instantOf(rs, "sent_at"),
                        rs.getInt("replaced")));
            }
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable outputs column: " + e.getMessage(), e);
        }
        return jobs;
    }

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private static Instant instantOf(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : instant(value);
    }

    private static String toJson(List<String> outputs) {
        try {
            return JSON.writeValueAsString(outputs);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
