package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import pixq.job.BatchCompletion;
import pixq.job.BatchFinished;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.recipe.BlobUri;
import pixq.recipe.Json;
import pixq.recipe.Recipes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A batch's completion on moto's DynamoDB, S3, EventBridge and SQS: two workers ending a batch's last two jobs at
 * the same moment write one manifest and put one event (read back from the queue a rule sends it to); a
 * retried job finishes the batch anew, with a new manifest and a new event.
 */
@ExtendWith(Moto.class)
class BatchCompletionAwsTest {
    private final AwsConnection aws = Moto.connection();
    private final S3Client s3 = aws.s3();
    private final SqsClient sqs = aws.sqs();

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void two_workers_ending_the_last_jobs_together_write_one_manifest_and_put_one_event_and_a_retry_another() throws Exception {
        String bucket = Moto.unique("out");
        s3.createBucket(b -> b.bucket(bucket));
        String table = Moto.unique("jobs");
        DynamoJobStore.createTable(aws.dynamo(), table);
        String batch = Moto.unique("batch");
        String eventsQueue = eventsOf(batch);

        DynamoJobStore store = new DynamoJobStore(aws.dynamo(), table);
        List<Job> running = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            JobSpec spec = JobSpec.of(batch, "s3://in/" + name + ".jpg", "etag-" + name, "s3://" + bucket + "/", Recipes.resolve("thumbnail"), List.of());
            Job queued = Job.queued(spec, Clock.systemUTC());
            store.insertNew(List.of(queued));
            Job started = queued.start(Clock.systemUTC(), Duration.ofMinutes(5));
            assertTrue(store.update(queued, started));
            running.add(started);
        }

        // two workers, each with its own clients, end the batch's last two jobs at once
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService workers = Executors.newFixedThreadPool(2);
        List<Future<Optional<BatchFinished>>> ends = new ArrayList<>();
        for (Job job : running) {
            ends.add(workers.submit(() -> {
                BatchCompletion completion = worker(table);
                String output = job.spec().outputUri("-320.jpg");
                s3.putObject(b -> b.bucket(bucket).key(BlobUri.s3(output).key()), RequestBody.fromString("jpeg bytes of " + job.id()));
                together.await(30, TimeUnit.SECONDS);
                assertTrue(store.update(job, job.succeed(List.of(output), 0, Clock.systemUTC())));
                return completion.jobFinished(batch);
            }));
        }
        long announced = 0;
        for (Future<Optional<BatchFinished>> end : ends) {
            announced += end.get(60, TimeUnit.SECONDS).isPresent() ? 1 : 0;
        }
        workers.shutdown();
        assertEquals(1, announced, "one of the two workers writes and announces");

        List<JsonNode> manifest = manifest(bucket, batch);
        assertEquals(3, manifest.size());
        assertEquals(2, manifest.get(0).get("counts").get("succeeded").asLong());
        for (JsonNode line : manifest.subList(1, 3)) {
            JsonNode output = line.get("outputs").get(0);
            assertEquals(("jpeg bytes of " + line.get("job").asText()).length(), output.get("bytes").asLong());
            assertEquals("SUCCEEDED", line.get("state").asText());
        }
        List<JsonNode> events = drain(eventsQueue, 1);
        assertEquals(1, events.size(), "one event");
        JsonNode detail = events.get(0).get("detail");
        assertEquals("pixq", events.get(0).get("source").asText());
        assertEquals("Batch Finished", events.get(0).get("detail-type").asText());
        assertEquals("s3://" + bucket + "/_pixq/manifests/" + batch + ".jsonl", detail.get("manifest").asText());
        assertEquals(2, detail.get("counts").get("total").asLong());
        assertEquals(manifest.get(0).get("completion").asLong(), detail.get("completion").asLong());

        // a retry runs job a again: the batch finishes anew
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5));
        Job done = store.find(running.get(0).id()).orElseThrow();
        Job requeued = done.requeue();
        assertTrue(store.update(done, requeued));
        Job again = requeued.start(later, Duration.ofMinutes(5));
        assertTrue(store.update(requeued, again));
        assertTrue(store.update(again, again.fail("not an image: unknown format", later)));
        assertTrue(worker(table).jobFinished(batch).isPresent());
        assertTrue(worker(table).jobFinished(batch).isEmpty(), "that completion is written already");

        List<JsonNode> rewritten = manifest(bucket, batch);
        assertTrue(rewritten.get(0).get("completion").asLong() > manifest.get(0).get("completion").asLong());
        assertEquals(1, rewritten.get(0).get("counts").get("failed").asLong());
        assertEquals("failed", rewritten.stream().filter(l -> l.path("state").asText().equals("FAILED")).findFirst().orElseThrow()
                .get("error").get("kind").asText());
        List<JsonNode> second = drain(eventsQueue, 1);
        assertEquals(1, second.size(), "one new event");
        assertEquals(1, second.get(0).get("detail").get("counts").get("failed").asLong());
    }

    /** A worker's completion, on its own clients, as FunctionPorts builds it on Lambda. */
    private BatchCompletion worker(String table) {
        return new BatchCompletion(new DynamoJobStore(aws.dynamo(), table), new S3BlobStore(aws.s3()),
                new DynamoCompletionClaims(aws.dynamo(), table), new S3Manifests(aws.s3()), new EventBridgeAnnouncer(aws.eventBridge()));
    }

    /** A queue that a rule on the default bus sends this batch's "Batch Finished" events to. */
    private String eventsOf(String batch) {
        String url = sqs.createQueue(b -> b.queueName(Moto.unique("events"))).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String rule = Moto.unique("done");
        try (EventBridgeClient events = aws.eventBridge()) {
            events.putRule(b -> b.name(rule).eventBusName("default").eventPattern(
                    "{\"source\":[\"pixq\"],\"detail-type\":[\"Batch Finished\"],\"detail\":{\"batchId\":[\"" + batch + "\"]}}"));
            events.putTargets(b -> b.rule(rule).eventBusName("default").targets(t -> t.id("queue").arn(arn)));
        }
        return url;
    }

    /** Waits for {@code expected} events, then a long poll more: what arrived. */
    private List<JsonNode> drain(String url, int expected) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (events.size() < expected && System.nanoTime() < deadline) {
            receive(url, events);
        }
        receive(url, events); // a second event would be here by now
        return events;
    }

    private void receive(String url, List<JsonNode> into) throws Exception {
        for (Message m : sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
            into.add(Json.MAPPER.readTree(m.body()));
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
        }
    }

    private List<JsonNode> manifest(String bucket, String batch) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        try (InputStream in = S3Manifests.open(s3, bucket, batch).orElseThrow()) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                lines.add(Json.MAPPER.readTree(line));
            }
        }
        return lines;
    }
}
