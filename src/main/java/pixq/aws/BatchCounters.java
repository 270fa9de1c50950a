package pixq.aws;

import static pixq.aws.JobItems.millis;
import static pixq.aws.JobItems.n;
import static pixq.aws.JobItems.s;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pixq.job.BatchCounts;
import pixq.job.Job;
import pixq.job.JobState;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Each batch's jobs per state, in {@value #SHARDS} counter items ({@code id} "counts#BATCH#n", no
 * {@code createdMs}, so outside the index), each job counted in one of them by its id: the job's write moves
 * its count in the same transaction ({@link #move}), and reading a batch's counts is one BatchGetItem at any
 * size. The shards spread the counting writes of many workers over several items, so that transactions
 * seldom conflict. SDK failures reach the caller as they are.
 */
final class BatchCounters {
    static final int SHARDS = 16;
    private static final int BATCH_GET_KEYS = 100;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

    BatchCounters(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    /** The counter update for a job moving from previous's state (null: a new job) to next's; none when they are the same. */
    Optional<Update> move(Job previous, Job next) {
        JobState from = previous == null ? null : previous.state();
        if (from == next.state()) {
            return Optional.empty();
        }
        Map<String, String> names = new HashMap<>(Map.of("#to", next.state().name()));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":one", n(1), ":batch", s(next.spec().batchId())));
        StringBuilder add = new StringBuilder("ADD #to :one");
        if (from != null) {
            names.put("#from", from.name());
            values.put(":minusOne", n(-1));
            add.append(", #from :minusOne");
        }
        if (next.state() == JobState.SUCCEEDED && next.replaced() > 0) {
            names.put("#replaced", "replaced");
            values.put(":replaced", n(next.replaced()));
            add.append(", #replaced :replaced");
        }
        StringBuilder set = new StringBuilder(" SET countsOf = :batch");
        if (next.state() == JobState.RUNNING && next.startedAt() != null) {
            values.put(":started", n(next.startedAt().toEpochMilli()));
            set.append(", firstStartedMs = if_not_exists(firstStartedMs, :started)");
        }
        if (next.state().isFinished() && next.finishedAt() != null) {
            values.put(":finished", n(next.finishedAt().toEpochMilli()));
            values.put(":expires", n(next.finishedAt().plus(retention).getEpochSecond()));
            set.append(", lastFinishedMs = :finished, expiresAt = :expires"); // gone with the batch's records
        }
        int shard = Math.floorMod(next.id().hashCode(), SHARDS);
        return Optional.of(Update.builder().tableName(table).key(Map.of("id", s(countsId(next.spec().batchId(), shard))))
                .updateExpression(add.toString() + set).expressionAttributeNames(names).expressionAttributeValues(values).build());
    }

    /** The batches' counts in their order: their counter items, read by BatchGetItem (up to 100 keys a call). */
    List<BatchCounts> of(List<String> batchIds) {
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (String batchId : batchIds) {
            for (int shard = 0; shard < SHARDS; shard++) {
                keys.add(Map.of("id", s(countsId(batchId, shard))));
            }
        }
        List<List<Map<String, AttributeValue>>> calls = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += BATCH_GET_KEYS) {
            calls.add(keys.subList(from, Math.min(keys.size(), from + BATCH_GET_KEYS)));
        }
        Map<String, List<Map<String, AttributeValue>>> byBatch = new HashMap<>();
        Parallel.map(calls, this::counters).forEach(items -> items.forEach(
                item -> byBatch.computeIfAbsent(item.get("countsOf").s(), k -> new ArrayList<>()).add(item)));
        return batchIds.stream().map(batchId -> sum(batchId, byBatch.getOrDefault(batchId, List.of()))).toList();
    }

    /** The counter items of these keys that exist, read consistently, unprocessed keys asked again. */
    private List<Map<String, AttributeValue>> counters(List<Map<String, AttributeValue>> keys) {
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        Map<String, KeysAndAttributes> pending = Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
        while (!pending.isEmpty()) {
            Map<String, KeysAndAttributes> request = pending;
            var response = dynamo.batchGetItem(b -> b.requestItems(request));
            found.addAll(response.responses().getOrDefault(table, List.of()));
            pending = response.unprocessedKeys();
        }
        return found;
    }

    /** A batch's counts: its counter items summed. */
    private static BatchCounts sum(String batchId, List<Map<String, AttributeValue>> shards) {
        Map<JobState, Long> byState = new EnumMap<>(JobState.class);
        Instant firstStarted = null;
        Instant lastFinished = null;
        long replaced = 0;
        for (Map<String, AttributeValue> shard : shards) {
            for (JobState state : JobState.values()) {
                byState.merge(state, count(shard, state.name()), Long::sum);
            }
            firstStarted = earliest(firstStarted, millis(shard, "firstStartedMs"));
            lastFinished = latest(lastFinished, millis(shard, "lastFinishedMs"));
            replaced += count(shard, "replaced");
        }
        return new BatchCounts(batchId, byState, firstStarted, lastFinished, replaced);
    }

    /** A counter of a shard: 0 until something was added to it. */
    private static long count(Map<String, AttributeValue> shard, String name) {
        AttributeValue n = shard.get(name);
        return n == null ? 0 : Long.parseLong(n.n());
    }

    private static String countsId(String batchId, int shard) {
        return "counts#" + batchId + "#" + shard;
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
