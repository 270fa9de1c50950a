package pixq.aws;

import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates the resources template.yaml declares, on an emulator (moto or LocalStack: the clients say which),
 * under unique names.
 */
final class MotoResources {
    private MotoResources() {}

    static String bucket(S3Client s3, String prefix) {
        String name = Moto.unique(prefix);
        s3.createBucket(b -> b.bucket(name));
        return name;
    }

    record Queues(String url, String dlqUrl) {}

    record Queue(String url, String arn) {}

    /**
     * A queue S3 may send the bucket's event notifications to: with the queue policy real S3 requires
     * (an emulator may or may not check it).
     */
    static Queue notificationQueue(SqsClient sqs, String prefix, String bucket) {
        String url = sqs.createQueue(b -> b.queueName(Moto.unique(prefix))).queueUrl();
        String arn = arn(sqs, url);
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"Service\":\"s3.amazonaws.com\"},\"Action\":\"sqs:SendMessage\","
                + "\"Resource\":\"" + arn + "\",\"Condition\":{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::" + bucket + "\"}}}]}";
        sqs.setQueueAttributes(b -> b.queueUrl(url).attributes(Map.of(QueueAttributeName.POLICY, policy)));
        return new Queue(url, arn);
    }

    private static String arn(SqsClient sqs, String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /** A job queue whose messages go to its own dead-letter queue after maxReceives receives. */
    static Queues queueWithDlq(SqsClient sqs, String prefix, Duration visibility, int maxReceives) {
        String dlqUrl = sqs.createQueue(b -> b.queueName(Moto.unique(prefix + "-dlq"))).queueUrl();
        String dlqArn = arn(sqs, dlqUrl);
        String url = sqs.createQueue(b -> b.queueName(Moto.unique(prefix)).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibility.toSeconds()),
                QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceives + "\"}"))).queueUrl();
        return new Queues(url, dlqUrl);
    }
}
