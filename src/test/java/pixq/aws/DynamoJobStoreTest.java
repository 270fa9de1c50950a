package pixq.aws;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import pixq.job.JobStore;
import pixq.job.JobStoreContract;
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
}
