package pixq.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import pixq.job.Delivery;
import pixq.job.JobQueue;
import pixq.job.JobSpec;
import pixq.job.StoreException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import pixq.recipe.Json;

/**
 * The job queue in SQS. Dead-lettering after the maximum receives is the queue's own redrive policy
 * (template.yaml), so this class only sends, receives, deletes and hands back.
 */
public final class SqsJobQueue implements JobQueue {
    static final int SQS_BATCH = 10; // SendMessageBatch and ReceiveMessage take at most ten
    private static final int SEND_TRIES = 4;

    private final SqsClient sqs;
    private final String queueUrl;
    private final int waitSeconds;
    private volatile Duration retention;

    /** @param wait long-polling wait of a receive that finds nothing (0 to 20 s) */
    public SqsJobQueue(SqsClient sqs, String queueUrl, Duration wait) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.waitSeconds = (int) Math.min(20, wait.toSeconds());
    }

    public String queueUrl() {
        return queueUrl;
    }

    /**
     * The queue's own settings, read from SQS: its visibility timeout (how long a worker holds a message
     * unless it extends it) and its redrive policy's maxReceiveCount (absent without a dead-letter queue).
     */
    public record Settings(Duration visibilityTimeout, Integer maxReceives, Duration retention) {}

    @Override
    public Duration retention() {
        Duration known = retention;
        if (known == null) {
            known = settings().retention();
            retention = known;
        }
        return known;
    }

    public Settings settings() {
        Map<QueueAttributeName, String> attributes = call("read the attributes of", () -> sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT, QueueAttributeName.REDRIVE_POLICY,
                        QueueAttributeName.MESSAGE_RETENTION_PERIOD))).attributes();
        String redrive = attributes.get(QueueAttributeName.REDRIVE_POLICY);
        Integer maxReceives = null;
        if (redrive != null) {
            try {
                maxReceives = Json.MAPPER.readTree(redrive).path("maxReceiveCount").asInt();
            } catch (JsonProcessingException e) {
                throw new StoreException("SQS queue " + queueUrl + " has an unreadable redrive policy: " + redrive, e);
            }
        }
        return new Settings(Duration.ofSeconds(Long.parseLong(attributes.getOrDefault(QueueAttributeName.VISIBILITY_TIMEOUT, "30"))),
                maxReceives, Duration.ofSeconds(Long.parseLong(attributes.getOrDefault(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "345600"))));
    }

    @Override
    public void send(List<JobSpec> jobs) {
        sendBodies(jobs.stream().map(JobSpec::toJson).toList());
    }

    /** Sends raw bodies, ten per request and requests side by side, retrying the entries SQS refused. */
    public void sendBodies(List<String> bodies) {
        List<List<String>> chunks = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i += SQS_BATCH) {
            chunks.add(bodies.subList(i, Math.min(bodies.size(), i + SQS_BATCH)));
        }
        Parallel.map(chunks, chunk -> {
            sendChunk(chunk);
            return null;
        });
    }

    private void sendChunk(List<String> bodies) {
        List<SendMessageBatchRequestEntry> pending = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            pending.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(bodies.get(i)).build());
        }
        List<BatchResultErrorEntry> failed = List.of();
        for (int attempt = 1; attempt <= SEND_TRIES && !pending.isEmpty(); attempt++) {
            List<SendMessageBatchRequestEntry> batch = pending;
            SendMessageBatchResponse response = call("send", () -> sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(batch)));
            failed = response.failed();
            List<String> failedIds = failed.stream().map(BatchResultErrorEntry::id).toList();
            if (failed.stream().anyMatch(BatchResultErrorEntry::senderFault)) {
                break; // our own fault (too large, malformed): sending it again cannot help
            }
            pending = batch.stream().filter(e -> failedIds.contains(e.id())).toList();
            if (!pending.isEmpty()) {
                sleep(100L << attempt);
            }
        }
        if (!failed.isEmpty()) {
            throw new StoreException("SQS refused " + failed.size() + " message(s) for " + queueUrl + ": "
                    + failed.get(0).code() + " " + failed.get(0).message(), null);
        }
    }

    @Override
    public List<Delivery> receive(int max) {
        List<Delivery> deliveries = new ArrayList<>();
        while (deliveries.size() < max) {
            int want = Math.min(SQS_BATCH, max - deliveries.size());
            int wait = deliveries.isEmpty() ? waitSeconds : 0; // wait only while there is nothing to return
            List<Message> messages = call("receive", () -> sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                    .maxNumberOfMessages(want).waitTimeSeconds(wait)
                    .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))).messages();
            messages.forEach(m -> deliveries.add(toDelivery(m)));
            if (messages.size() < want) {
                break;
            }
        }
        return deliveries;
    }

    static Delivery toDelivery(Message m) {
        Map<MessageSystemAttributeName, String> attributes = m.attributes();
        String count = attributes.get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
        return new Delivery(m.messageId(), m.body(), m.receiptHandle(), count == null ? 1 : Integer.parseInt(count));
    }

    @Override
    public void delete(Delivery delivery) {
        call("delete", () -> sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(delivery.receipt())));
    }

    @Override
    public void retryLater(Delivery delivery, Duration delay) {
        int seconds = (int) Math.max(0, Math.min(43_200, delay.toSeconds())); // SQS allows up to 12 hours
        call("change visibility", () -> sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl)
                .receiptHandle(delivery.receipt()).visibilityTimeout(seconds)));
    }

    private <T> T call(String what, java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (SdkException e) {
            throw new StoreException("SQS " + what + " on " + queueUrl + " failed: " + e.getMessage(), e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while retrying a send", e);
        }
    }
}
