package pixq.aws;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import pixq.serve.LocalContext;
import pixq.image.ImageEngine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * What template.yaml deploys, made on an emulator (moto or LocalStack, whichever the connection points at)
 * under unique names: input and output buckets, the job table, the job queue with its dead-letter queue,
 * and the two handlers configured as the template configures them. {@link #drain} plays Lambda's SQS
 * event source mapping.
 */
final class TestStack {
    static final Duration VISIBILITY = Duration.ofSeconds(1);
    static final int MAX_RECEIVES = 2;

    final AwsConnection aws;
    final S3Client s3;
    final SqsClient sqs;
    final DynamoDbClient dynamo;
    final String inputBucket;
    final String outputBucket;
    final String table;
    final String queueUrl;
    final String dlqUrl;

    TestStack(AwsConnection aws, String name) {
        this.aws = aws;
        s3 = aws.s3();
        sqs = aws.sqs();
        dynamo = aws.dynamo();
        inputBucket = MotoResources.bucket(s3, name + "-in");
        outputBucket = MotoResources.bucket(s3, name + "-out");
        table = Moto.unique(name + "-jobs");
        DynamoJobStore.createTable(dynamo, table);
        MotoResources.Queues queues = MotoResources.queueWithDlq(sqs, name + "-jobs", VISIBILITY, MAX_RECEIVES);
        queueUrl = queues.url();
        dlqUrl = queues.dlqUrl();
    }

    /** The functions' environment, as template.yaml sets it. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("TABLE_NAME", table);
        env.put("QUEUE_URL", queueUrl);
        env.put("INPUT_BUCKETS", inputBucket);
        env.put("OUTPUT_BUCKET", outputBucket);
        env.put("MAX_RECEIVES", Integer.toString(MAX_RECEIVES));
        env.put("JOB_LEASE_SECONDS", "60");
        env.put("START_MARGIN_SECONDS", "1");
        return env;
    }

    SubmitHandler submitHandler(Map<String, String> env) {
        return new SubmitHandler(env::get, aws);
    }

    WorkerHandler workerHandler(ImageEngine engine) {
        return new WorkerHandler(env()::get, aws, engine);
    }

    DynamoJobStore store() {
        return new DynamoJobStore(dynamo, table);
    }

    void put(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(inputBucket).key(key), RequestBody.fromBytes(bytes));
    }

    Set<String> outputKeys() {
        return s3.listObjectsV2Paginator(b -> b.bucket(outputBucket)).contents().stream()
                .map(o -> o.key()).collect(Collectors.toSet());
    }

    byte[] output(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(outputBucket).key(key)).asByteArray();
    }

    /**
     * Receives from the job queue and feeds each batch to the worker as an SQSEvent, deleting what the
     * worker did not report as a batch item failure, as Lambda's event source mapping does; until the queue
     * stays empty past a visibility timeout (so handed-back messages come round again).
     */
    List<SQSBatchResponse> drain(WorkerHandler worker) {
        return drain(worker, Duration.ofMinutes(1));
    }

    /** As {@link #drain(WorkerHandler)}, each invocation given {@code functionTimeout} (its remaining time at the start). */
    List<SQSBatchResponse> drain(WorkerHandler worker, Duration functionTimeout) {
        List<SQSBatchResponse> responses = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            List<Message> messages = receive(queueUrl);
            if (messages.isEmpty()) {
                if (System.nanoTime() - quietSince > VISIBILITY.plusMillis(700).toNanos()) {
                    return responses;
                }
                sleep(200);
                continue;
            }
            SQSBatchResponse response = worker.handleRequest(event(messages), new LocalContext("WorkerFunction", functionTimeout, 1024));
            responses.add(response);
            Set<String> failed = response.getBatchItemFailures().stream()
                    .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).collect(Collectors.toSet());
            messages.stream().filter(m -> !failed.contains(m.messageId()))
                    .forEach(m -> sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
            quietSince = System.nanoTime();
        }
        throw new AssertionError("the job queue did not drain within 30 s");
    }

    List<Message> receive(String url) {
        return sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(0)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
    }

    /** The SQSEvent Lambda would build from these messages. */
    static SQSEvent event(List<Message> messages) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        for (Message m : messages) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(m.messageId());
            record.setReceiptHandle(m.receiptHandle());
            record.setBody(m.body());
            record.setEventSource("aws:sqs");
            record.setAttributes(Map.of("ApproximateReceiveCount",
                    m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)));
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }


    /** A small real image, encoded by the JDK: a gradient so resizing has something to average. */
    static byte[] image(int width, int height, String format) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, new Color(255 * x / width, 255 * y / height, 128).getRGB());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
