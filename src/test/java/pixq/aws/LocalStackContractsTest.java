package pixq.aws;

import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.containers.localstack.LocalStackContainer.Service;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import pixq.job.BlobStore;
import pixq.job.BlobStoreContract;
import pixq.job.JobQueue;
import pixq.job.JobQueueContract;
import pixq.job.JobStore;
import pixq.job.JobStoreContract;

/**
 * The same contract suites and end-to-end flow against LocalStack, where Docker runs; skipped cleanly where
 * it does not. The nested classes share the one container.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackContractsTest {
    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8"))
            .withServices(Service.S3, Service.SQS, Service.DYNAMODB);

    static AwsConnection connection() {
        return new AwsConnection(LOCALSTACK.getRegion(), LOCALSTACK.getEndpoint());
    }

    @Nested
    class S3 extends BlobStoreContract {
        private final String bucket = Moto.unique("ls-blobs");

        @Override
        protected BlobStore newStore() {
            connection().s3().createBucket(b -> b.bucket(bucket));
            return new S3BlobStore(connection().s3());
        }

        @Override
        protected String baseUri() {
            return "s3://" + bucket + "/";
        }
    }

    @Nested
    class Sqs extends JobQueueContract {
        @Override
        protected JobQueue newQueue(Duration visibilityTimeout, int maxReceives) {
            var sqs = connection().sqs();
            return new SqsJobQueue(sqs, MotoResources.queueWithDlq(sqs, "ls", visibilityTimeout, maxReceives).url(), Duration.ZERO);
        }
    }

    @Nested
    class Dynamo extends JobStoreContract {
        @Override
        protected JobStore newStore() {
            String table = Moto.unique("ls-jobs");
            DynamoJobStore.createTable(connection().dynamo(), table);
            return new DynamoJobStore(connection().dynamo(), table);
        }
    }

    @Nested
    class EndToEnd extends EndToEndContract {
        @Override
        protected AwsConnection connection() {
            return LocalStackContractsTest.connection();
        }
    }
}
