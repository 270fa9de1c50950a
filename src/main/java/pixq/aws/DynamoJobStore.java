package pixq.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import pixq.job.BatchCounts;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.job.StoreException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * Status records in one DynamoDB table keyed by job id ({@code id}), with the index {@value #BY_BATCH}
 * (batchId, createdMs) for a batch's progress, and a TTL attribute {@code expiresAt} on finished jobs.
 *
 * <p>Every write is conditional. New records are conditional puts ({@code attribute_not_exists(id)}),
 * sent side by side: BatchWriteItem cannot carry a condition, so it would silently overwrite a job that
 * already ran (a SUCCEEDED job back to QUEUED) and could not tell which jobs were duplicates. A failed
 * condition is exactly "duplicate"; throttling is retried by the SDK's own retry policy.
 *
 * <p>Each batch's jobs per state live in {@value #SHARDS} counter items ({@code id} "counts#BATCH#n", no
 * {@code createdMs}, so outside the index), each job counted in one of them by its id: a write that moves
 * a job moves its count in the same transaction, and reading a batch's counts is one BatchGetItem at any
 * size. The shards spread the counting writes of many workers over several items, so that transactions
 * seldom conflict (and are tried again when they do).
 *
 * <p>Each batch also has one registry item ({@code id} "batch#BATCH", registered by the first insert of
 * its jobs) under the reserved {@code batchId} {@value #REGISTRY} in the same index, its {@code createdMs}
 * the batch's first job's: listing the batches is one Query of that key, oldest first, never a Scan.
 * Registry items carry no TTL (one small item per batch ever submitted); a batch whose records and counters
 * all expired is left out of the list.
 */
public final class DynamoJobStore implements JobStore {
    public static final String BY_BATCH = "byBatch";
    /** The {@code batchId} under which the batch registry items sit in {@value #BY_BATCH}; no job may use it. */
    static final String REGISTRY = "#batches";
    static final int SHARDS = 16;
    private static final int TRANSACTION_TRIES = 8;
    private static final int BATCH_GET_KEYS = 100;
    static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;
    /** Batches this store has registered already: a submission's later chunks write no registry item. */
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    public DynamoJobStore(DynamoDbClient dynamo, String table) {
        this(dynamo, table, DEFAULT_RETENTION);
    }

    /** @param retention how long a finished job's record is kept before DynamoDB's TTL removes it */
    public DynamoJobStore(DynamoDbClient dynamo, String table, Duration retention) {
        this.dynamo = dynamo;
        this.table = table;
        this.retention = retention;
    }

    /** Creates the table as template.yaml does; for tests and emulators. */
    public static void createTable(DynamoDbClient dynamo, String table) {
        dynamo.createTable(b -> b.tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        attribute("id", ScalarAttributeType.S),
                        attribute("batchId", ScalarAttributeType.S),
                        attribute("createdMs", ScalarAttributeType.N))
                .keySchema(key("id", KeyType.HASH))
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName(BY_BATCH)
                        .keySchema(key("batchId", KeyType.HASH), key("createdMs", KeyType.RANGE))
                        .projection(p -> p.projectionType(ProjectionType.ALL)).build()));
        dynamo.waiter().waitUntilTableExists(b -> b.tableName(table));
        dynamo.updateTimeToLive(b -> b.tableName(table).timeToLiveSpecification(t -> t.enabled(true).attributeName("expiresAt")));
    }

    @Override
    public List<Job> insertNew(List<Job> jobs) {
        register(jobs);
        List<Boolean> inserted = Parallel.map(jobs, job -> write(null, job, "attribute_not_exists(id)", Map.of(), Map.of()));
        List<Job> fresh = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (inserted.get(i)) {
                fresh.add(jobs.get(i));
            }
        }
        return fresh;
    }

    /**
     * Writes the registry item of each batch of {@code jobs} not registered yet, before the jobs (a batch
     * with records is always listed): a conditional put, so the first registration's time stays.
     */
    private void register(List<Job> jobs) {
        Map<String, Long> firstCreated = new HashMap<>();
        for (Job job : jobs) {
            String batchId = job.spec().batchId();
            if (REGISTRY.equals(batchId)) {
                throw new IllegalArgumentException("batch id " + REGISTRY + " is reserved");
            }
            if (!registered.contains(batchId)) {
                firstCreated.merge(batchId, job.createdAt().toEpochMilli(), Math::min);
            }
        }
        firstCreated.forEach((batchId, createdMs) -> {
            try {
                dynamo.putItem(b -> b.tableName(table).conditionExpression("attribute_not_exists(id)").item(Map.of(
                        "id", s(registryId(batchId)), "batchId", s(REGISTRY), "createdMs", n(createdMs), "registryOf", s(batchId))));
            } catch (ConditionalCheckFailedException e) {
                // registered before, by another submission
            } catch (SdkException e) {
                throw translate("register batch " + batchId, e);
            }
            registered.add(batchId);
        });
    }

    @Override
    public Optional<Job> find(String id) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).key(Map.of("id", s(id))).consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
        } catch (SdkException e) {
            throw translate("find " + id, e);
        }
    }

    @Override
    public boolean update(Job previous, Job next) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":prevState", s(previous.state().name()), ":prevAttempts", n(previous.attempts())));
        String lease = "attribute_not_exists(leaseUntilMs)";
        if (previous.leaseUntil() != null) {
            values.put(":prevLease", n(previous.leaseUntil().toEpochMilli()));
            lease = "leaseUntilMs = :prevLease";
        }
        return write(previous, next, "#state = :prevState AND attempts = :prevAttempts AND " + lease, Map.of("#state", "state"), values);
    }

    @Override
    public List<Job> list(String batchId, JobState state, int limit) {
        if (batchId != null) {
            return listAfter(batchId, state, null, limit);
        }
        // All batches: each registered batch's index, never a Scan of the table.
        try {
            return registeredBatches().stream().flatMap(batch -> ofBatch(batch, state, null, limit).stream())
                    .sorted(Comparator.comparing(Job::createdAt)).limit(limit).toList();
        } catch (SdkException e) {
            throw translate("list all batches", e);
        }
    }

    @Override
    public List<Job> listAfter(String batchId, JobState state, String afterId, int limit) {
        Map<String, AttributeValue> start = null;
        if (afterId != null) {
            Job after = find(afterId).orElseThrow(() -> new IllegalArgumentException("no job " + afterId));
            start = Map.of("id", s(after.id()), "batchId", s(batchId), "createdMs", n(after.createdAt().toEpochMilli()));
        }
        try {
            return ofBatch(batchId, state, start, limit);
        } catch (SdkException e) {
            throw translate("list " + batchId, e);
        }
    }

    /** A batch's jobs by its index, from an item's key on (null: the first), oldest first. */
    private List<Job> ofBatch(String batchId, JobState state, Map<String, AttributeValue> start, int limit) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":batch", s(batchId)));
        QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(BY_BATCH)
                .keyConditionExpression("batchId = :batch").scanIndexForward(true).exclusiveStartKey(start);
        if (state != null) {
            values.put(":state", s(state.name()));
            query.filterExpression("#state = :state").expressionAttributeNames(Map.of("#state", "state"));
        }
        query.expressionAttributeValues(values);
        List<Job> found = new ArrayList<>();
        // No Limit (moto answered a Limit-ed index query with fewer jobs than it held): a read page is up to
        // 1 MB, from where the last page ended. The state filter applies after each read: page on until
        // enough jobs matched.
        for (var page : dynamo.queryPaginator(query.build())) {
            page.items().forEach(item -> found.add(fromItem(item)));
            if (found.size() >= limit) {
                break;
            }
        }
        // In the index's order, so that the last job shown is where the next page starts.
        return found.stream().limit(limit).toList();
    }

    @Override
    public BatchCounts counts(String batchId) {
        return countsOf(List.of(batchId)).get(0);
    }

    /** Every registered batch's counts, oldest batch first: one Query of the registry, then its batches' counters. */
    @Override
    public List<BatchCounts> batches() {
        List<String> batchIds;
        try {
            batchIds = registeredBatches();
        } catch (SdkException e) {
            throw translate("list the batches", e);
        }
        // A batch whose counters are all gone had every record expire: nothing left to show.
        return countsOf(batchIds).stream().filter(counts -> counts.total() > 0).toList();
    }

    /** The registered batches, by their first job's creation, oldest first (a Query, paged by the SDK). */
    private List<String> registeredBatches() {
        QueryRequest query = QueryRequest.builder().tableName(table).indexName(BY_BATCH)
                .keyConditionExpression("batchId = :registry").expressionAttributeValues(Map.of(":registry", s(REGISTRY)))
                .projectionExpression("registryOf").scanIndexForward(true).build();
        List<String> batchIds = new ArrayList<>();
        dynamo.queryPaginator(query).items().forEach(item -> batchIds.add(item.get("registryOf").s()));
        return batchIds;
    }

    /** The batches' counts in their order: their counter items, read by BatchGetItem (up to 100 keys a call). */
    private List<BatchCounts> countsOf(List<String> batchIds) {
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
        try {
            Map<String, KeysAndAttributes> pending = Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
            while (!pending.isEmpty()) {
                Map<String, KeysAndAttributes> request = pending;
                var response = dynamo.batchGetItem(b -> b.requestItems(request));
                found.addAll(response.responses().getOrDefault(table, List.of()));
                pending = response.unprocessedKeys();
            }
        } catch (SdkException e) {
            throw translate("read the batch counters", e);
        }
        return found;
    }

    /** A batch's counts: its counter items summed. */
    private static BatchCounts sum(String batchId, List<Map<String, AttributeValue>> shards) {
        Map<JobState, Long> byState = new EnumMap<>(JobState.class);
        Instant firstStarted = null;
        Instant lastFinished = null;
        for (Map<String, AttributeValue> shard : shards) {
            for (JobState state : JobState.values()) {
                AttributeValue n = shard.get(state.name());
                byState.merge(state, n == null ? 0 : Long.parseLong(n.n()), Long::sum);
            }
            firstStarted = earliest(firstStarted, millis(shard, "firstStartedMs"));
            lastFinished = latest(lastFinished, millis(shard, "lastFinishedMs"));
        }
        return new BatchCounts(batchId, byState, firstStarted, lastFinished);
    }

    /**
     * Writes {@code next} if the condition holds, and moves its count from previous's state (none for a new
     * job) in the same transaction; false when the condition failed.
     */
    private boolean write(Job previous, Job next, String condition, Map<String, String> names, Map<String, AttributeValue> values) {
        Put put = Put.builder().tableName(table).item(toItem(next)).conditionExpression(condition)
                .expressionAttributeNames(names.isEmpty() ? null : names)
                .expressionAttributeValues(values.isEmpty() ? null : values).build();
        List<TransactWriteItem> items = new ArrayList<>(List.of(TransactWriteItem.builder().put(put).build()));
        countMove(previous, next).ifPresent(update -> items.add(TransactWriteItem.builder().update(update).build()));
        for (int attempt = 1; ; attempt++) {
            try {
                if (items.size() == 1) {
                    dynamo.putItem(b -> b.tableName(table).item(put.item()).conditionExpression(condition)
                            .expressionAttributeNames(put.expressionAttributeNames())
                            .expressionAttributeValues(put.expressionAttributeValues()));
                } else {
                    dynamo.transactWriteItems(b -> b.transactItems(items));
                }
                return true;
            } catch (ConditionalCheckFailedException e) {
                return false;
            } catch (TransactionCanceledException e) {
                String why = e.cancellationReasons().isEmpty() ? "" : e.cancellationReasons().get(0).code();
                if ("ConditionalCheckFailed".equals(why)) {
                    return false;
                }
                if (attempt >= TRANSACTION_TRIES) {
                    throw translate("write " + next.id() + " (" + e.cancellationReasons() + ")", e);
                }
                pause(attempt); // a conflict on the counter with another worker's write: try again
            } catch (SdkException e) {
                throw translate("write " + next.id(), e);
            }
        }
    }

    /** The counter update for a job moving from previous's state (null: a new job) to next's; none when they are the same. */
    private Optional<Update> countMove(Job previous, Job next) {
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

    static String registryId(String batchId) {
        return "batch#" + batchId;
    }

    private static String countsId(String batchId, int shard) {
        return "counts#" + batchId + "#" + shard;
    }

    private static Instant millis(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : Instant.ofEpochMilli(Long.parseLong(v.n()));
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(10L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while writing a job record", e);
        }
    }

    private Map<String, AttributeValue> toItem(Job job) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", s(job.id()));
        item.put("batchId", s(job.spec().batchId()));
        item.put("spec", s(job.spec().toJson()));
        item.put("state", s(job.state().name()));
        item.put("attempts", n(job.attempts()));
        item.put("createdMs", n(job.createdAt().toEpochMilli()));
        item.put("createdAt", s(job.createdAt().toString()));
        item.put("outputs", AttributeValue.fromL(job.outputs().stream().map(DynamoJobStore::s).toList()));
        if (job.lastError() != null) {
            item.put("lastError", s(job.lastError()));
        }
        if (job.startedAt() != null) {
            item.put("startedAt", s(job.startedAt().toString()));
        }
        if (job.leaseUntil() != null) {
            item.put("leaseUntilMs", n(job.leaseUntil().toEpochMilli()));
        }
        if (job.sentAt() != null) {
            item.put("sentAt", s(job.sentAt().toString()));
        }
        if (job.finishedAt() != null) {
            item.put("finishedAt", s(job.finishedAt().toString()));
            if (job.state().isFinished()) {
                item.put("expiresAt", n(job.finishedAt().plus(retention).getEpochSecond()));
            }
        }
        return item;
    }

    private static Job fromItem(Map<String, AttributeValue> item) {
        return new Job(
                JobSpec.fromJson(item.get("spec").s()),
                JobState.valueOf(item.get("state").s()),
                Integer.parseInt(item.get("attempts").n()),
                text(item, "lastError"),
                instant(item, "createdAt"),
                instant(item, "startedAt"),
                instant(item, "finishedAt"),
                item.containsKey("outputs") ? item.get("outputs").l().stream().map(AttributeValue::s).toList() : List.of(),
                millis(item, "leaseUntilMs"),
                instant(item, "sentAt"));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        String v = text(item, name);
        return v == null ? null : Instant.parse(v);
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    private static AttributeDefinition attribute(String name, ScalarAttributeType type) {
        return AttributeDefinition.builder().attributeName(name).attributeType(type).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    private StoreException translate(String what, SdkException e) {
        return new StoreException("DynamoDB table " + table + ": " + what + " failed: " + e.getMessage(), e);
    }
}
