package pixq.aws;

import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Creates the resources template.yaml declares, on an emulator, under unique names. */
final class MotoResources {
    private MotoResources() {}

    static String bucket(S3Client s3, String prefix) {
        String name = Moto.unique(prefix);
        s3.createBucket(b -> b.bucket(name));
        return name;
    }

    record Queues(String url, String dlqUrl) {}

    /** A job queue whose messages go to its own dead-letter queue after maxReceives receives. */
    static Queues queueWithDlq(SqsClient sqs, String prefix, Duration visibility, int maxReceives) {
        String dlqUrl = sqs.createQueue(b -> b.queueName(Moto.unique(prefix + "-dlq"))).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String url = sqs.createQueue(b -> b.queueName(Moto.unique(prefix)).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibility.toSeconds()),
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceives + "\"}"))).queueUrl();
        return new Queues(url, dlqUrl);
    }
}
