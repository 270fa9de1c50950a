package pixq.aws;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import pixq.job.JobQueue;
import pixq.job.JobQueueContract;
import software.amazon.awssdk.services.sqs.SqsClient;

@ExtendWith(Moto.class)
class SqsJobQueueTest extends JobQueueContract {
    private static SqsClient sqs;

    @BeforeAll
    static void connect() {
        sqs = Moto.connection().sqs();
    }

    @AfterAll
    static void close() {
        sqs.close();
    }

    @Override
    protected JobQueue newQueue(Duration visibilityTimeout, int maxReceives) {
        String url = MotoResources.queueWithDlq(sqs, "contract", visibilityTimeout, maxReceives).url();
        return new SqsJobQueue(sqs, url, Duration.ZERO);
    }
}
