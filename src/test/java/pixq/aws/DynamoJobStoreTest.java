package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.T0;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pixq.job.BatchCounts;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.job.JobStoreContract;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

@ExtendWith(Moto.class)
class DynamoJobStoreTest extends JobStoreContract {
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void connect() {
        dynamo = client(List.of());
    }

    /** A client of moto that sends one request at a time ({@link OneRequestAtATime} says why). */
    private static DynamoDbClient client(List<ExecutionInterceptor> interceptors) {
        AwsConnection moto = Moto.connection();
        return DynamoDbClient.builder().region(Region.of(moto.region())).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(new OneRequestAtATime())
                .overrideConfiguration(o -> o.executionInterceptors(interceptors)).build();
    }

    @AfterAll
    static void close() {
        dynamo.close();
    }

    @Override
    protected JobStore newStore() {
        // A table per test: job ids follow from input and recipe only, so tests would share records otherwise.
        String table = Moto.unique("jobs");
        DynamoJobStore.createTable(dynamo, table);
        return new DynamoJobStore(dynamo, table);
    }

    @Test
    void listingBatchesQueriesTheRegistryAndNeverScans() {
        // given: 30 batches of 2 jobs each (more than one BatchGetItem of counters), one job of each running,
        // written through a client that records every operation it sends. The two jobs of a batch are written side by
        // side and often share a counter shard: this lost a count in about one run of two until the client sent one
        // request at a time (moto's race, not the store's; see OneRequestAtATime)
        List<String> operations = Collections.synchronizedList(new ArrayList<>());
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                operations.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
            }
        };
        try (DynamoDbClient recorded = client(List.of(recorder))) {
            String table = Moto.unique("jobs");
            DynamoJobStore.createTable(dynamo, table);
            DynamoJobStore store = new DynamoJobStore(recorded, table);
            List<String> batches = IntStream.range(0, 30).mapToObj(i -> "b" + (100 + i)).toList();
            for (int i = batches.size() - 1; i >= 0; i--) { // inserted newest first: the list follows creation, not insertion
                String batch = batches.get(i);
                Job first = aJob().spec(aSpec().batch(batch).input("file:/in/" + batch + "/a.jpg")).createdAt(T0.plusSeconds(i)).build();
                Job second = aJob().spec(aSpec().batch(batch).input("file:/in/" + batch + "/b.jpg")).createdAt(T0.plusSeconds(i)).build();
                store.insertNew(List.of(first, second));
                operations.clear();
                store.insertNew(List.of(second)); // a later chunk of a registered batch writes no registry item
                assertEquals(List.of("TransactWriteItems"), operations);
                assertTrue(store.update(first, first.start(Clock.fixed(T0.plusSeconds(i + 1), ZoneOffset.UTC), Duration.ofMinutes(10))));
            }
            operations.clear();

            // when
            List<BatchCounts> listed = store.batches();
            List<Job> running = store.list(null, JobState.RUNNING, 100);

            // then
            assertEquals(batches, listed.stream().map(BatchCounts::batchId).toList());
            listed.forEach(counts -> assertEquals(2, counts.total(), counts.batchId()));
            listed.forEach(counts -> assertEquals(1, counts.of(JobState.RUNNING), counts.batchId()));
            assertEquals(batches, running.stream().map(job -> job.spec().batchId()).toList());
            assertFalse(operations.contains("Scan"), operations.toString());
            assertEquals(Set.of("Query", "BatchGetItem"), Set.copyOf(operations));
        }
    }

    @Test
    void aConflictIsTriedAgainWhereverDynamoDbReportsIt() {
        for (List<String> reasons : List.of(List.of("None", "TransactionConflict"), List.of("TransactionConflict", "None"),
                List.of("TransactionConflict", "TransactionConflict"))) {
            // given: DynamoDB cancels the first transaction for a conflict on the job's item or on its counter
            AtomicInteger transactions = new AtomicInteger();
            DynamoJobStore store = new DynamoJobStore(stub((method, request) -> {
                if (!method.equals("transactWriteItems")) {
                    throw new UnsupportedOperationException(method);
                }
                if (transactions.incrementAndGet() == 1) {
                    throw cancelled(reasons);
                }
                return TransactWriteItemsResponse.builder().build();
            }), "jobs");
            Job queued = aJob().spec(aSpec().input("file:/in/a.jpg")).build();

            // when
            boolean written = store.update(queued, queued.start(Clock.fixed(T0, ZoneOffset.UTC), Duration.ofMinutes(10)));

            // then
            assertTrue(written, reasons.toString());
            assertEquals(2, transactions.get(), reasons.toString());
        }
    }

    @Test
    void aFailedConditionOnTheJobIsAnAnswerNotAConflict() {
        AtomicInteger transactions = new AtomicInteger();
        DynamoJobStore store = new DynamoJobStore(stub((method, request) -> {
            transactions.incrementAndGet();
            throw cancelled(List.of("ConditionalCheckFailed", "TransactionConflict"));
        }), "jobs");
        Job queued = aJob().spec(aSpec().input("file:/in/a.jpg")).build();

        assertFalse(store.update(queued, queued.start(Clock.fixed(T0, ZoneOffset.UTC), Duration.ofMinutes(10))));
        assertEquals(1, transactions.get(), "the job changed meanwhile: nothing to try again");
    }

    private static TransactionCanceledException cancelled(List<String> codes) {
        return TransactionCanceledException.builder().message("Transaction cancelled")
                .cancellationReasons(codes.stream().map(code -> CancellationReason.builder().code(code).build()).toList()).build();
    }

    /** A DynamoDB client answering each call (by its method's name) as {@code answer} says. */
    private static DynamoDbClient stub(BiFunction<String, Object, Object> answer) {
        return (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(), new Class<?>[] {DynamoDbClient.class},
                (proxy, method, args) -> answer.apply(method.getName(), args == null ? null : args[0]));
    }

    @Test
    void theRegistrysBatchIdIsRefused() {
        JobStore store = newStore();
        Job job = aJob().spec(aSpec().batch(DynamoJobStore.REGISTRY).input("file:/in/a.jpg")).build();

        assertThrows(IllegalArgumentException.class, () -> store.insertNew(List.of(job)));
    }
}
