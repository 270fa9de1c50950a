package pixq.serve;

import java.util.Map;
import pixq.aws.AwsConnection;
import pixq.aws.DynamoJobStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * template.yaml's data resources made on an emulator (moto, LocalStack), where SAM cannot deploy: the
 * input and output buckets, the job queue with its dead-letter queue, the job table, and what stands for
 * S3 → Lambda there: the input bucket notifies a queue ({@code NAME-uploads}) of objects created under
 * the prefix, and {@code pixq serve} hands those to the submit function. Names are NAME-input,
 * NAME-output, NAME-jobs (queue and table), NAME-dead-letter, NAME-dead-letter-archive. Creating is idempotent: an existing
 * resource is kept.
 */
public record EmulatorStack(String inputBucket, String outputBucket, String queueUrl, String dlqUrl, String archiveUrl, String table,
        String uploadsUrl) {

    public static EmulatorStack deploy(AwsConnection aws, String name, Template template) {
        int workerTimeout = Integer.parseInt(template.parameter("WorkerTimeout"));
        String prefix = template.parameter("InputPrefix");
        try (S3Client s3 = aws.s3(); SqsClient sqs = aws.sqs(); DynamoDbClient dynamo = aws.dynamo()) {
            String input = bucket(s3, name + "-input");
            String output = bucket(s3, name + "-output");
            String dlq = sqs.createQueue(b -> b.queueName(name + "-dead-letter")).queueUrl();
            String jobs = sqs.createQueue(b -> b.queueName(name + "-jobs").attributes(Map.of(
                    QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(6 * workerTimeout),
                    QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + arn(sqs, dlq)
                            + "\",\"maxReceiveCount\":\"" + template.parameter("MaxReceives") + "\"}"))).queueUrl();
            String archive = sqs.createQueue(b -> b.queueName(name + "-dead-letter-archive")).queueUrl();
            String uploads = sqs.createQueue(b -> b.queueName(name + "-uploads")).queueUrl();
            String uploadsArn = arn(sqs, uploads);
            // The policy real S3 (and LocalStack) require before notifying a queue.
            String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    + "\"Principal\":{\"Service\":\"s3.amazonaws.com\"},\"Action\":\"sqs:SendMessage\","
                    + "\"Resource\":\"" + uploadsArn + "\",\"Condition\":{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::" + input + "\"}}}]}";
            sqs.setQueueAttributes(b -> b.queueUrl(uploads).attributes(Map.of(QueueAttributeName.POLICY, policy)));
            // "prefix" in lowercase, as S3 documents it (moto accepts no other spelling).
            s3.putBucketNotificationConfiguration(b -> b.bucket(input).notificationConfiguration(n -> n.queueConfigurations(q -> q
                    .queueArn(uploadsArn).events(Event.S3_OBJECT_CREATED)
                    .filter(f -> f.key(k -> k.filterRules(r -> r.name("prefix").value(prefix)))))));
            String table = name + "-jobs";
            try {
                dynamo.describeTable(b -> b.tableName(table));
            } catch (ResourceNotFoundException e) {
                DynamoJobStore.createTable(dynamo, table);
            }
            return new EmulatorStack(input, output, jobs, dlq, archive, table, uploads);
        }
    }

    private static String bucket(S3Client s3, String name) {
        if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(name))) {
            s3.createBucket(b -> b.bucket(name));
        }
        return name;
    }

    private static String arn(SqsClient sqs, String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }
}
