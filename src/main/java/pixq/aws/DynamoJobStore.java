package pixq.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Status records in one DynamoDB table keyed by job id ({@code id}), with the index {@value #BY_BATCH}
 * (batchId, createdMs) for a batch's progress, and a TTL attribute {@code expiresAt} on finished jobs.
 *
 * <p>Every write is conditional. New records are conditional puts ({@code attribute_not_exists(id)}),
 * sent side by side: BatchWriteItem cannot carry a condition, so it would silently overwrite a job that
 * already ran (a SUCCEEDED job back to QUEUED) and could not tell which jobs were duplicates. A failed
 * condition is exactly "duplicate"; throttling is retried by the SDK's own retry policy.
 */
public final class DynamoJobStore implements JobStore {
    public static final String BY_BATCH = "byBatch";
    static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration retention;

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
        List<Boolean> inserted = Parallel.map(jobs, job -> put(job, "attribute_not_exists(id)", Map.of(), Map.of()));
        List<Job> fresh = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (inserted.get(i)) {
                fresh.add(jobs.get(i));
            }
        }
        return fresh;
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
        return put(next, "#state = :prevState AND attempts = :prevAttempts",
                Map.of("#state", "state"),
                Map.of(":prevState", s(previous.state().name()), ":prevAttempts", n(previous.attempts())));
    }

    @Override
    public List<Job> list(String batchId, JobState state, int limit) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        String filter = null;
        if (state != null) {
            filter = "#state = :state";
            names.put("#state", "state");
            values.put(":state", s(state.name()));
        }
        try {
            List<Job> found = new ArrayList<>();
            if (batchId != null) {
                values.put(":batch", s(batchId));
                QueryRequest.Builder query = QueryRequest.builder().tableName(table).indexName(BY_BATCH)
                        .keyConditionExpression("batchId = :batch").filterExpression(filter)
                        .expressionAttributeValues(values).scanIndexForward(true);
                if (!names.isEmpty()) {
                    query.expressionAttributeNames(names);
                }
                // The filter applies after each page is read: page on until enough jobs matched.
                for (var page : dynamo.queryPaginator(query.build())) {
                    page.items().forEach(item -> found.add(fromItem(item)));
                    if (found.size() >= limit) {
                        break;
                    }
                }
            } else {
                ScanRequest.Builder scan = ScanRequest.builder().tableName(table).filterExpression(filter);
                if (!names.isEmpty()) {
                    scan.expressionAttributeNames(names).expressionAttributeValues(values);
                }
                dynamo.scanPaginator(scan.build()).items().forEach(item -> found.add(fromItem(item)));
            }
            return found.stream().sorted(Comparator.comparing(Job::createdAt)).limit(limit).toList();
        } catch (SdkException e) {
            throw translate("list " + batchId, e);
        }
    }

    private boolean put(Job job, String condition, Map<String, String> names, Map<String, AttributeValue> values) {
        try {
            dynamo.putItem(b -> {
                b.tableName(table).item(toItem(job)).conditionExpression(condition);
                if (!names.isEmpty()) {
                    b.expressionAttributeNames(names);
                }
                if (!values.isEmpty()) {
                    b.expressionAttributeValues(values);
                }
            });
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw translate("write " + job.id(), e);
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
                item.containsKey("outputs") ? item.get("outputs").l().stream().map(AttributeValue::s).toList() : List.of());
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
