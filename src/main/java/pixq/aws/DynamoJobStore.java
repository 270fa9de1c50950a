package pixq.aws;

import static pixq.aws.JobItems.n;
import static pixq.aws.JobItems.s;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import pixq.job.BatchCounts;
import pixq.job.Job;
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
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Status records in one DynamoDB table keyed by job id ({@code id}), with the index {@value #BY_BATCH}
 * (batchId, createdMs) for a batch's progress, and a TTL attribute {@code expiresAt} on finished jobs.
 *
 * <p>Every write is conditional. New records are conditional puts ({@code attribute_not_exists(id)}),
 * sent side by side: BatchWriteItem cannot carry a condition, so it would silently overwrite a job that
 * already ran (a SUCCEEDED job back to QUEUED) and could not tell which jobs were duplicates. A failed
 * condition is exactly "duplicate"; throttling is retried by the SDK's own retry policy.
 *
 * <p>Each batch's jobs per state live in {@link BatchCounters}: a write that moves a job moves its count in the
 * same transaction, tried again when it conflicts with another writer's; items are mapped by {@link JobItems}.
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
    private static final int TRANSACTION_TRIES = 8;
    static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;
    private final BatchCounters counters;
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
        this.counters = new BatchCounters(dynamo, table, retention);
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
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(JobItems.fromItem(item));
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
            page.items().forEach(item -> found.add(JobItems.fromItem(item)));
            if (found.size() >= limit) {
                break;
            }
        }
        // In the index's order, so that the last job shown is where the next page starts.
        return found.stream().limit(limit).toList();
    }

    @Override
    public BatchCounts counts(String batchId) {
        try {
            return counters.of(List.of(batchId)).get(0);
        } catch (SdkException e) {
            throw translate("read the counters of " + batchId, e);
        }
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
        try {
            // A batch whose counters are all gone had every record expire: nothing left to show.
            return counters.of(batchIds).stream().filter(counts -> counts.total() > 0).toList();
        } catch (SdkException e) {
            throw translate("read the batch counters", e);
        }
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

    /**
     * Writes {@code next} if the condition holds, and moves its count from previous's state (none for a new
     * job) in the same transaction; false when the condition failed.
     */
    private boolean write(Job previous, Job next, String condition, Map<String, String> names, Map<String, AttributeValue> values) {
        Put put = Put.builder().tableName(table).item(JobItems.toItem(next, retention)).conditionExpression(condition)
                .expressionAttributeNames(names.isEmpty() ? null : names)
                .expressionAttributeValues(values.isEmpty() ? null : values).build();
        List<TransactWriteItem> items = new ArrayList<>(List.of(TransactWriteItem.builder().put(put).build()));
        counters.move(previous, next).ifPresent(update -> items.add(TransactWriteItem.builder().update(update).build()));
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
                // The job's put is the first item: its failed condition is the answer. Any other reason, a
                // TransactionConflict on the job's item or on its counter wherever it is listed, is tried again.
                String why = e.cancellationReasons().isEmpty() ? "" : e.cancellationReasons().get(0).code();
                if ("ConditionalCheckFailed".equals(why)) {
                    return false;
                }
                if (attempt >= TRANSACTION_TRIES) {
                    throw translate("write " + next.id() + " (" + e.cancellationReasons() + ")", e);
                }
                pause(attempt);
            } catch (SdkException e) {
                throw translate("write " + next.id(), e);
            }
        }
    }

    static String registryId(String batchId) {
        return "batch#" + batchId;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(10L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while writing a job record", e);
        }
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
