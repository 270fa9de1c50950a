package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import pixq.serve.LocalContext;
import pixq.image.EngineConfig;
import pixq.image.ImageEngine;
import pixq.image.OpenCvImageEngine;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.job.JobSpec;
import software.amazon.awssdk.services.s3.model.Event;
import software.amazon.awssdk.services.s3.model.FilterRule;
import software.amazon.awssdk.services.s3.model.QueueConfiguration;
import software.amazon.awssdk.services.sqs.model.Message;
import pixq.recipe.Json;

/**
 * The whole flow on an emulator, with the real image engine on real (small) images: submit function → SQS →
 * the worker function fed what was received → outputs in S3 and records in DynamoDB. Run on moto by
 * {@link EndToEndTest} and on LocalStack by {@link LocalStackContractsTest.EndToEnd}; one stack per class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EndToEndContract {
    private static final ObjectMapper JSON = Json.MAPPER;
    private TestStack stack;
    private WorkerHandler worker;

    /** Where to deploy the stack; called once, before the tests, after the class's extensions have run. */
    protected abstract AwsConnection connection();

    /** The real engine, except that a job whose args say "flaky" fails as a lost connection would: retryably. */
    private static ImageEngine flakyOnRequest(ImageEngine real) {
        return (input, recipe, args, commandEnv) -> {
            if (args.contains("flaky")) {
                throw new IllegalStateException("connection reset while rendering");
            }
            return real.render(input, recipe, args, commandEnv);
        };
    }

    @BeforeAll
    void deploy() {
        stack = new TestStack(connection(), "e2e");
        worker = stack.workerHandler(flakyOnRequest(new OpenCvImageEngine(EngineConfig.defaults())));
    }

    private Map<String, Object> submit(Map<String, Object> request) {
        return stack.submitHandler(stack.env()).handleRequest(request, new LocalContext("SubmitFunction", Duration.ofMinutes(1), 512));
    }

    private String in(String key) {
        return "s3://" + stack.inputBucket + "/" + key;
    }

    private Job job(String batch, String input) {
        return stack.store().list(batch, null, 100).stream().filter(j -> input.equals(j.spec().input())).findFirst().orElseThrow();
    }

    private static BufferedImage decode(byte[] bytes) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    private static long failures(List<SQSBatchResponse> responses) {
        return responses.stream().mapToLong(r -> r.getBatchItemFailures().size()).sum();
    }

    @Test
    void submittedImagesAreRenderedIntoTheOutputBucket() throws IOException {
        // given
        stack.put("photos/a.jpg", TestStack.image(640, 480, "jpg"));
        stack.put("photos/b.png", TestStack.image(300, 200, "png"));

        // when
        Map<String, Object> submitted = submit(Map.of("inputs", List.of(in("photos/a.jpg"), in("photos/b.png")), "recipe", "thumbnail"));
        List<SQSBatchResponse> responses = stack.drain(worker);

        // then
        String batch = (String) submitted.get("batchId");
        assertEquals(2, submitted.get("jobs"));
        assertEquals(0, failures(responses));
        BufferedImage a = decode(stack.output("photos/a-thumb.jpg"));
        BufferedImage b = decode(stack.output("photos/b-thumb.jpg"));
        assertEquals(List.of(256, 192), List.of(a.getWidth(), a.getHeight()));
        assertEquals(List.of(256, 171), List.of(b.getWidth(), b.getHeight()));
        Job done = job(batch, in("photos/a.jpg"));
        assertEquals(JobState.SUCCEEDED, done.state());
        assertEquals(List.of("s3://" + stack.outputBucket + "/photos/a-thumb.jpg"), done.outputs());
        assertEquals(1, done.attempts());
    }

    @Test
    void aDeletedOutputIsWrittenAgainWhenItsJobIsSubmittedAgain() throws IOException {
        // given a finished job
        stack.put("redo/a.jpg", TestStack.image(640, 480, "jpg"));
        Map<String, Object> request = Map.of("inputs", List.of(in("redo/a.jpg")), "recipe", "thumbnail");
        String batch = (String) submit(request).get("batchId");
        stack.drain(worker);
        assertEquals(256, decode(stack.output("redo/a-thumb.jpg")).getWidth());

        // when its output is deleted and the same work submitted again
        stack.s3.deleteObject(b -> b.bucket(stack.outputBucket).key("redo/a-thumb.jpg"));
        Map<String, Object> again = submit(request);
        stack.drain(worker);

        // then the job ran again and wrote it
        assertEquals(0, again.get("jobs"), "the same job, not a new one");
        assertEquals(256, decode(stack.output("redo/a-thumb.jpg")).getWidth());
        Job redone = job(batch, in("redo/a.jpg"));
        assertEquals(JobState.SUCCEEDED, redone.state());
        assertEquals(List.of("s3://" + stack.outputBucket + "/redo/a-thumb.jpg"), redone.outputs());
    }

    @Test
    void aLaterSubmissionNeverReplacesAnOutputMadeFromAnotherInput() throws IOException {
        // given clash/photo.jpg processed
        stack.put("clash/photo.jpg", TestStack.image(640, 480, "jpg"));
        submit(Map.of("inputs", List.of(in("clash/photo.jpg")), "recipe", "thumbnail"));
        stack.drain(worker);
        byte[] made = stack.output("clash/photo-thumb.jpg");

        // when clash/photo.png arrives later, in a submission of its own
        stack.put("clash/photo.png", TestStack.image(300, 200, "png"));
        Map<String, Object> later = submit(Map.of("inputs", List.of(in("clash/photo.png")), "recipe", "thumbnail"));
        stack.drain(worker);

        // then its job fails for good naming the other input, and the output is still photo.jpg's
        Job refused = job((String) later.get("batchId"), in("clash/photo.png"));
        assertEquals(JobState.FAILED, refused.state());
        assertEquals(1, refused.attempts());
        assertTrue(refused.lastError().contains("made from " + in("clash/photo.jpg")), refused.lastError());
        assertArrayEquals(made, stack.output("clash/photo-thumb.jpg"));
    }

    @Test
    void poisonMessageFailsTheJobForGoodWithoutRetry() {
        // given
        stack.put("poison/broken.jpg", "this is not an image at all".getBytes());

        // when
        Map<String, Object> submitted = submit(Map.of("inputs", List.of(in("poison/broken.jpg")), "recipe", "thumbnail"));
        List<SQSBatchResponse> responses = stack.drain(worker);

        // then: deleted at once (no batch item failure), never dead-lettered, the reason kept
        Job failed = job((String) submitted.get("batchId"), in("poison/broken.jpg"));
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(1, failed.attempts());
        assertTrue(failed.lastError() != null && !failed.lastError().isBlank());
        assertEquals(0, failures(responses));
        assertTrue(stack.outputKeys().stream().noneMatch(k -> k.startsWith("poison/")));
    }

    @Test
    void transientFailureIsRetriedThenDeadLetteredAfterMaxReceives() {
        // given
        stack.put("flaky/c.jpg", TestStack.image(64, 64, "jpg"));

        // when
        Map<String, Object> submitted = submit(Map.of("inputs", List.of(in("flaky/c.jpg")), "recipe", "thumbnail", "args", List.of("flaky")));
        List<SQSBatchResponse> responses = stack.drain(worker);

        // then: handed back on each of the MAX_RECEIVES receives, then moved to the DLQ by the queue's redrive policy
        assertEquals(TestStack.MAX_RECEIVES, failures(responses));
        Job failed = job((String) submitted.get("batchId"), in("flaky/c.jpg"));
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(TestStack.MAX_RECEIVES, failed.attempts());
        assertTrue(failed.lastError().contains("dead-lettered") && failed.lastError().contains("connection reset"), failed.lastError());
        List<Message> dead = stack.receive(stack.dlqUrl);
        assertEquals(1, dead.size());
        assertEquals(failed.id(), JobSpec.fromJson(dead.get(0).body()).id());
    }

    @Test
    void duplicateDeliveryRunsTheJobOnce() {
        // given: the job's message delivered twice (SQS is at-least-once)
        stack.put("dup/d.jpg", TestStack.image(400, 400, "jpg"));
        Map<String, Object> submitted = submit(Map.of("inputs", List.of(in("dup/d.jpg")), "recipe", "web"));
        Job queued = job((String) submitted.get("batchId"), in("dup/d.jpg"));
        new SqsJobQueue(stack.sqs, stack.queueUrl, Duration.ZERO).send(List.of(queued.spec()));

        // when
        stack.drain(worker);

        // then: one run (one attempt), one set of outputs (web: 1600, 800 and 320, never upscaled)
        Job done = stack.store().find(queued.id()).orElseThrow();
        assertEquals(JobState.SUCCEEDED, done.state());
        assertEquals(1, done.attempts());
        assertEquals(Set.of("dup/d-1600.jpg", "dup/d-800.jpg", "dup/d-320.jpg"),
                stack.outputKeys().stream().filter(k -> k.startsWith("dup/")).collect(Collectors.toSet()));
    }

    @Test
    void fileDroppedInTheInputBucketIsProcessed() throws IOException {
        // given: the input bucket notifies a queue of new objects under thumbnail/ (moto wants "prefix" in lowercase)
        MotoResources.Queue notify = MotoResources.notificationQueue(stack.sqs, "notify", stack.inputBucket);
        stack.s3.putBucketNotificationConfiguration(b -> b.bucket(stack.inputBucket).notificationConfiguration(n -> n
                .queueConfigurations(QueueConfiguration.builder().queueArn(notify.arn()).events(Event.S3_OBJECT_CREATED)
                        .filter(f -> f.key(k -> k.filterRules(FilterRule.builder().name("prefix").value("thumbnail/").build())))
                        .build())));

        // when: a file is dropped in, and the notification is handed to the submit function
        stack.put("thumbnail/dropped.jpg", TestStack.image(512, 512, "jpg"));
        Map<String, Object> notification = nextNotification(notify.url());
        Map<String, Object> submitted = submit(notification);
        stack.drain(worker);

        // then
        assertEquals(1, submitted.get("jobs"));
        BufferedImage thumb = decode(stack.output("thumbnail/dropped-thumb.jpg"));
        assertEquals(List.of(256, 256), List.of(thumb.getWidth(), thumb.getHeight()));
        assertEquals(JobState.SUCCEEDED, job((String) submitted.get("batchId"), in("thumbnail/dropped.jpg")).state());

        // and a key with spaces, '+', '%', '#' and letters beyond ASCII, as the event encodes it, names its output
        String odd = "thumbnail/sub dir/IMG 0001 (1)+été 日本 #2 100%.jpg";
        stack.put(odd, TestStack.image(300, 200, "jpg"));
        Map<String, Object> oddSubmitted = submit(nextNotification(notify.url()));
        stack.drain(worker);
        assertEquals(1, oddSubmitted.get("jobs"));
        assertEquals(256, decode(stack.output("thumbnail/sub dir/IMG 0001 (1)+été 日本 #2 100%-thumb.jpg")).getWidth());
        assertEquals(JobState.SUCCEEDED, job((String) oddSubmitted.get("batchId"), in(odd)).state());
    }

    /** The first real S3 event on the queue (S3 sends a test event when notifications are configured). */
    @SuppressWarnings("unchecked")
    private Map<String, Object> nextNotification(String url) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (Message m : stack.receive(url)) {
                Map<String, Object> body = JSON.readValue(m.body(), Map.class);
                if (body.containsKey("Records")) {
                    return body;
                }
            }
        }
        throw new AssertionError("no S3 notification arrived within 10 s");
    }
}
