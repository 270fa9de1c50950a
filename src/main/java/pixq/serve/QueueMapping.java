package pixq.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import pixq.job.Delivery;
import pixq.job.JobQueue;
import pixq.recipe.Json;

/**
 * An event source mapping, as Lambda's SQS poller runs one: pollers (up to MaximumConcurrency) gather up
 * to BatchSize messages within MaximumBatchingWindowInSeconds, invoke the function with an SQS event, and
 * delete what succeeded: the whole batch on success, all but the reported batchItemFailures with
 * ReportBatchItemFailures. A failed invocation deletes nothing: the messages come back after the queue's
 * visibility timeout, as on Lambda. In {@link Kind#S3_NOTIFICATIONS} mode each message is an S3 event
 * notification, handed to the function as it stands (S3 → SQS → the submit function).
 */
final class QueueMapping {
    enum Kind { SQS_EVENT, S3_NOTIFICATIONS }

    private static final ObjectMapper JSON = Json.MAPPER;

    private final JobQueue queue;
    private final String queueName;
    private final ServedFunction function;
    private final Template.QueueSource source;
    private final Kind kind;
    private final Consumer<String> log;

    QueueMapping(JobQueue queue, String queueName, ServedFunction function, Template.QueueSource source, Kind kind, Consumer<String> log) {
        this.queue = queue;
        this.queueName = queueName;
        this.function = function;
        this.source = source;
        this.kind = kind;
        this.log = log;
    }

    int pollers() {
        return source.maxConcurrency();
    }

    /** One poller: runs until {@code stop} says so, never abandoning an invocation it started. */
    void poll(BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            try {
                List<Delivery> batch = gather(stop);
                if (!batch.isEmpty()) {
                    switch (kind) {
                        case SQS_EVENT -> settle(batch, function.invoke(UUID.randomUUID().toString(), sqsEvent(batch)));
                        case S3_NOTIFICATIONS -> batch.forEach(this::notification);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (stop.getAsBoolean()) {
                    return; // the receive was cut short by the shutdown
                }
                log.accept(queueName + " -> " + function.name() + ": " + e.getMessage() + " (retrying in 1 s)");
                sleep(1000);
            }
        }
    }

    /** Up to BatchSize messages, waiting at most the batching window after the first. */
    private List<Delivery> gather(BooleanSupplier stop) {
        List<Delivery> batch = new ArrayList<>(queue.receive(source.batchSize()));
        long until = System.nanoTime() + source.window().toNanos();
        while (!batch.isEmpty() && batch.size() < source.batchSize() && System.nanoTime() < until && !stop.getAsBoolean()) {
            batch.addAll(queue.receive(source.batchSize() - batch.size()));
        }
        return batch;
    }

    private void settle(List<Delivery> batch, FunctionInstance.Outcome outcome) {
        if (outcome.failed() && diedMidBatch(outcome.payload())) {
            // Nothing of the batch is done: hand it back at once (visibility 0) rather than after the timeout.
            log.accept(function.name() + " died on a batch of " + batch.size() + " from " + queueName
                    + " (its messages are handed back now): " + new String(outcome.payload(), StandardCharsets.UTF_8));
            batch.forEach(d -> queue.retryLater(d, java.time.Duration.ZERO));
            return;
        }
        if (outcome.failed()) {
            log.accept(function.name() + " failed on a batch of " + batch.size() + " from " + queueName
                    + " (its messages come back after the visibility timeout): " + new String(outcome.payload(), StandardCharsets.UTF_8));
            return;
        }
        Set<String> failed = source.reportFailures() ? batchItemFailures(outcome.payload(), batch) : Set.of();
        batch.stream().filter(d -> !failed.contains(d.messageId())).forEach(queue::delete);
    }

    /** Whether the instance's process ended under the invocation (Lambda's Runtime.ExitError). */
    private static boolean diedMidBatch(byte[] payload) {
        try {
            return "Runtime.ExitError".equals(JSON.readTree(payload).path("errorType").asText());
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The reported failures; a response that cannot be read fails the whole batch, as Lambda treats it. */
    private Set<String> batchItemFailures(byte[] payload, List<Delivery> batch) {
        Set<String> failed = new HashSet<>();
        try {
            JsonNode response = JSON.readTree(payload);
            for (JsonNode failure : response.path("batchItemFailures")) {
                failed.add(failure.path("itemIdentifier").asText());
            }
        } catch (java.io.IOException e) {
            batch.forEach(d -> failed.add(d.messageId()));
        }
        return failed;
    }

    private void notification(Delivery message) {
        try {
            if ("s3:TestEvent".equals(JSON.readTree(message.body()).path("Event").asText())) {
                queue.delete(message); // S3 sends one when the notification is configured
                return;
            }
            FunctionInstance.Outcome outcome = function.invoke(UUID.randomUUID().toString(), message.body().getBytes(StandardCharsets.UTF_8));
            if (outcome.failed()) {
                log.accept(function.name() + " failed on an S3 notification (it comes back after the visibility timeout): "
                        + new String(outcome.payload(), StandardCharsets.UTF_8));
            } else {
                queue.delete(message);
            }
        } catch (java.io.IOException e) {
            log.accept("not an S3 notification, deleted: " + message.body());
            queue.delete(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The SQS event Lambda's poller builds. */
    private byte[] sqsEvent(List<Delivery> batch) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (Delivery d : batch) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("messageId", d.messageId());
            record.put("receiptHandle", d.receipt());
            record.put("body", d.body());
            record.put("attributes", Map.of("ApproximateReceiveCount", Integer.toString(d.receiveCount()),
                    "SentTimestamp", Long.toString(System.currentTimeMillis())));
            record.put("messageAttributes", Map.of());
            record.put("eventSource", "aws:sqs");
            record.put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:" + queueName);
            record.put("awsRegion", "us-east-1");
            records.add(record);
        }
        try {
            return JSON.writeValueAsBytes(Map.of("Records", records));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
