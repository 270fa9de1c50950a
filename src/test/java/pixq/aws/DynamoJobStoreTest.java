package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.T0;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
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
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@ExtendWith(Moto.class)
class DynamoJobStoreTest extends JobStoreContract {
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void connect() {
        dynamo = Moto.connection().dynamo();
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
        // written through a client that records every operation it sends
        List<String> operations = Collections.synchronizedList(new ArrayList<>());
        AwsConnection moto = Moto.connection();
        try (DynamoDbClient recorded = DynamoDbClient.builder().region(Region.of(moto.region())).endpointOverride(moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        operations.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
                    }
                })).build()) {
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
    void theRegistrysBatchIdIsRefused() {
        JobStore store = newStore();
        Job job = aJob().spec(aSpec().batch(DynamoJobStore.REGISTRY).input("file:/in/a.jpg")).build();

        assertThrows(IllegalArgumentException.class, () -> store.insertNew(List.of(job)));
    }
}
