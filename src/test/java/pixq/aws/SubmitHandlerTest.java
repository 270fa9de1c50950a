package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import pixq.serve.LocalContext;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;

@ExtendWith(Moto.class)
class SubmitHandlerTest {
    private static TestStack stack;

    @BeforeAll
    static void deploy() {
        stack = new TestStack(Moto.connection(), "submit");
        for (String key : List.of("photos/a.jpg", "photos/b.jpg", "photos/sub/c.jpg", "photos/", "other/d.jpg")) {
            stack.put(key, new byte[] {1});
        }
    }

    private static Map<String, Object> invoke(Map<String, Object> event) {
        return invoke(stack.env(), event);
    }

    private static Map<String, Object> invoke(Map<String, String> env, Map<String, Object> event) {
        return stack.submitHandler(env).handleRequest(event, new LocalContext("SubmitFunction", Duration.ofMinutes(1), 512));
    }

    private static Set<String> queuedInputs(String batchId) {
        return stack.store().list(batchId, JobState.QUEUED, 100).stream().map(j -> j.spec().input()).collect(Collectors.toSet());
    }

    private static List<JobSpec> drainMessages() {
        SqsJobQueue queue = new SqsJobQueue(stack.sqs, stack.queueUrl, Duration.ZERO);
        List<JobSpec> specs = new java.util.ArrayList<>();
        for (var d = queue.receive(10); !d.isEmpty(); d = queue.receive(10)) {
            d.forEach(m -> {
                specs.add(JobSpec.fromJson(m.body()));
                queue.delete(m);
            });
        }
        return specs;
    }

    @Test
    void listOfInputsBecomesQueuedRecordsAndMessages() {
        // given
        String a = "s3://" + stack.inputBucket + "/photos/a.jpg";
        String c = "s3://" + stack.inputBucket + "/photos/sub/c.jpg";

        // when
        Map<String, Object> response = invoke(Map.of("inputs", List.of(a, c), "recipe", "thumbnail", "args", List.of("x")));

        // then
        String batch = (String) response.get("batchId");
        assertEquals(2, response.get("jobs"));
        assertEquals(0, response.get("duplicates"));
        assertEquals(List.of(), response.get("rejected"));
        assertEquals(Set.of(a, c), queuedInputs(batch));
        List<JobSpec> sent = drainMessages();
        assertEquals(Set.of(a, c), sent.stream().map(JobSpec::input).collect(Collectors.toSet()));
        JobSpec forC = sent.stream().filter(s -> s.input().equals(c)).findFirst().orElseThrow();
        assertEquals("s3://" + stack.outputBucket + "/photos/sub/", forC.output(), "outputs mirror the input's folder");
        assertEquals("thumbnail", forC.recipe().name());
        assertEquals(List.of("x"), forC.args());
    }

    @Test
    void submittingTheSameWorkTwiceCountsDuplicates() {
        // given
        Map<String, Object> event = Map.of("inputs", List.of("s3://" + stack.inputBucket + "/other/d.jpg"), "recipe", "meta");
        invoke(event);

        // when
        Map<String, Object> again = invoke(event);

        // then
        assertEquals(0, again.get("jobs"));
        assertEquals(1, again.get("duplicates"));
        drainMessages();
    }

    @Test
    void inputsOutsideTheInputBucketsAreRejectedNotRead() {
        // when
        Map<String, Object> response = invoke(Map.of("recipe", "web",
                "inputs", List.of("s3://" + stack.outputBucket + "/x.jpg", "file:/etc/passwd", "s3://" + stack.inputBucket + "/photos/b.jpg")));

        // then
        assertEquals(1, response.get("jobs"));
        @SuppressWarnings("unchecked")
        List<String> rejected = (List<String>) response.get("rejected");
        assertEquals(2, rejected.size());
        assertTrue(rejected.get(0).startsWith("s3://" + stack.outputBucket + "/x.jpg (bucket "), rejected.get(0));
        assertTrue(rejected.get(1).startsWith("file:/etc/passwd (not an s3:// URI"), rejected.get(1));
        drainMessages();
    }

    @Test
    @SuppressWarnings("unchecked")
    void prefixListsEveryObjectAndContinuesPastTheCapInTheSameBatch() {
        // given: at most 2 jobs per call
        Map<String, String> env = new HashMap<>(stack.env());
        env.put("MAX_JOBS_PER_CALL", "2");
        Map<String, Object> request = Map.of("prefix", "s3://" + stack.inputBucket + "/photos/", "recipe", "thumbnail");

        // when: following each response's "next" as the CLI does
        Map<String, Object> first = invoke(env, request);
        int calls = 1;
        int jobs = (Integer) first.get("jobs");
        for (Map<String, Object> r = first; r.get("next") != null; calls++) {
            Map<String, Object> next = (Map<String, Object>) r.get("next");
            assertEquals(first.get("batchId"), next.get("batchId"));
            r = invoke(env, next);
            jobs += (Integer) r.get("jobs");
        }

        // then: every object once, the folder marker "photos/" no job
        String b = "s3://" + stack.inputBucket + "/photos/";
        assertTrue(calls > 1, "continued in " + calls + " calls");
        assertEquals(3, jobs);
        assertEquals(Set.of(b + "a.jpg", b + "b.jpg", b + "sub/c.jpg"), queuedInputs((String) first.get("batchId")));
        drainMessages();
    }

    @Test
    void argsOnlyJobsAreOnePerElement() {
        // when: as the old `add_jobs.py a b c`
        Map<String, Object> response = invoke(Map.of("batchId", "args-batch", "recipe", "meta", "args", List.of("a", List.of("b", "c"))));

        // then
        assertEquals(2, response.get("jobs"));
        List<Job> jobs = stack.store().list("args-batch", null, 10);
        assertEquals(Set.of(List.of("a"), List.of("b", "c")), jobs.stream().map(j -> j.spec().args()).collect(Collectors.toSet()));
        assertTrue(jobs.stream().allMatch(j -> j.spec().input() == null));
        drainMessages();
    }

    @Test
    void s3EventTakesTheRecipeFromTheKeysFirstFolder() {
        // given: an S3 notification as S3 sends it (key URL-encoded)
        Map<String, Object> record = Map.of("eventSource", "aws:s3", "eventName", "ObjectCreated:Put",
                "s3", Map.of("bucket", Map.of("name", stack.inputBucket), "object", Map.of("key", "thumbnail/my+photo.jpg")));
        Map<String, Object> unknown = Map.of("eventSource", "aws:s3", "eventName", "ObjectCreated:Put",
                "s3", Map.of("bucket", Map.of("name", stack.inputBucket), "object", Map.of("key", "misc/x.jpg")));

        // when
        Map<String, Object> response = invoke(Map.of("Records", List.of(record, unknown)));

        // then
        assertEquals(1, response.get("jobs"));
        assertEquals(1, ((List<?>) response.get("rejected")).size());
        List<JobSpec> sent = drainMessages();
        assertEquals("s3://" + stack.inputBucket + "/thumbnail/my photo.jpg", sent.get(0).input());
        assertEquals("thumbnail", sent.get(0).recipe().name());
    }

    @Test
    void anObjectUploadedAgainIsNewWorkAndAMissingInputIsRejected() {
        // given an object submitted once, then uploaded again with other bytes under the same key
        String key = "again/photo.jpg";
        String uri = "s3://" + stack.inputBucket + "/" + key;
        stack.put(key, new byte[] {1});
        Map<String, Object> first = invoke(Map.of("inputs", List.of(uri), "recipe", "thumbnail"));
        assertEquals(1, first.get("jobs"));
        stack.put(key, new byte[] {2, 2});
        String eTag = stack.s3.headObject(b -> b.bucket(stack.inputBucket).key(key)).eTag().replace("\"", "");

        // when it is submitted again by list, and by the event of its upload
        Map<String, Object> listed = invoke(Map.of("inputs", List.of(uri, uri + ".missing"), "recipe", "thumbnail"));
        Map<String, Object> record = Map.of("eventSource", "aws:s3", "eventName", "ObjectCreated:Put", "s3", Map.of(
                "bucket", Map.of("name", stack.inputBucket), "object", Map.of("key", "thumbnail/again.jpg", "eTag", eTag)));
        Map<String, Object> dropped = invoke(Map.of("Records", List.of(record)));
        Map<String, Object> droppedAgain = invoke(Map.of("Records", List.of(record)));

        // then the new version is a new job; the same event twice is one job; a missing input is named
        assertEquals(1, listed.get("jobs"));
        assertEquals(List.of(uri + ".missing (no such object)"), listed.get("rejected"));
        assertEquals(1, dropped.get("jobs"));
        assertEquals(0, droppedAgain.get("jobs"));
        List<JobSpec> sent = drainMessages();
        assertEquals(eTag, sent.stream().filter(s -> s.input().equals(uri)).reduce((a, b) -> b).orElseThrow().inputVersion());
    }

    @Test
    @SuppressWarnings("unchecked")
    void inputsThatWouldWriteTheSameOutputAreRejectedNamingBoth() {
        // given photo.jpg and photo.png under one prefix: both would write photo-thumb.jpg
        for (String key : List.of("clash/photo.jpg", "clash/photo.png", "clash/other.jpg")) {
            stack.put(key, new byte[] {1});
        }

        // when
        Map<String, Object> response = invoke(Map.of("prefix", "s3://" + stack.inputBucket + "/clash/", "recipe", "thumbnail"));

        // then both are refused, each naming the other and the output; the rest is queued
        String in = "s3://" + stack.inputBucket + "/clash/";
        assertEquals(1, response.get("jobs"));
        List<String> rejected = (List<String>) response.get("rejected");
        assertEquals(2, rejected.size(), rejected.toString());
        String output = "s3://" + stack.outputBucket + "/clash/photo-thumb.jpg";
        assertTrue(rejected.get(0).startsWith(in + "photo.jpg (refused: it and " + in + "photo.png would both write " + output), rejected.get(0));
        assertTrue(rejected.get(1).startsWith(in + "photo.png (refused: it and " + in + "photo.jpg would both write " + output), rejected.get(1));
        assertEquals(Set.of(in + "other.jpg"), queuedInputs((String) response.get("batchId")));
        drainMessages();
    }

    @Test
    void longJobsGoToTheLongQueueWhenAskedOrWhenTheirCommandIsALongOne() {
        // given a stack with a long (Fargate) queue, where `render` is a long command
        String longQueue = stack.sqs.createQueue(b -> b.queueName(Moto.unique("submit-long"))).queueUrl();
        Map<String, String> env = new HashMap<>(stack.env());
        env.put("LONG_QUEUE_URL", longQueue);
        env.put("LONG_COMMANDS", "render, train");
        String a = "s3://" + stack.inputBucket + "/photos/a.jpg";

        // when: one request asks for it, one runs a long command, one neither
        invoke(env, Map.of("batchId", "long-asked", "recipe", "command myjob", "args", List.of("x"), "long", true));
        invoke(env, Map.of("batchId", "long-command", "recipe", "command render", "inputs", List.of(a)));
        invoke(env, Map.of("batchId", "long-not", "recipe", "command myjob", "args", List.of("y")));

        // then
        List<JobSpec> onLong = new java.util.ArrayList<>();
        SqsJobQueue queue = new SqsJobQueue(stack.sqs, longQueue, Duration.ZERO);
        for (var d = queue.receive(10); !d.isEmpty(); d = queue.receive(10)) {
            d.forEach(m -> onLong.add(JobSpec.fromJson(m.body())));
        }
        assertEquals(Set.of("long-asked", "long-command"), onLong.stream().map(JobSpec::batchId).collect(Collectors.toSet()));
        assertEquals(List.of("long-not"), drainMessages().stream().map(JobSpec::batchId).toList());
        // and a stack without one says so rather than queueing where nothing would run it in time
        BadRequestException none = assertThrows(BadRequestException.class,
                () -> invoke(Map.of("recipe", "command myjob", "args", List.of("z"), "long", true)));
        assertTrue(none.getMessage().contains("no long queue"), none.getMessage());
        assertThrows(BadRequestException.class, () -> invoke(env, Map.of("recipe", "meta", "args", List.of("z"), "long", "yes")));
    }

    @Test
    void aKeyWithDotDotIsRejectedAndTheOtherInputsAreQueued() {
        // given
        String a = "s3://" + stack.inputBucket + "/photos/a.jpg";
        String climbing = "s3://" + stack.inputBucket + "/photos/../photos/b.jpg";

        // when
        Map<String, Object> response = invoke(Map.of("recipe", "thumbnail", "args", List.of("dots"), "inputs", List.of(climbing, a)));

        // then
        assertEquals(1, response.get("jobs"));
        assertEquals(List.of(climbing + " (a key with a '.' or '..' part is refused)"), response.get("rejected"));
        assertEquals(Set.of(a), queuedInputs((String) response.get("batchId")));
        drainMessages();
    }

    @Test
    void malformedRequestsFailWithTheReason() {
        BadRequestException noRecipe = assertThrows(BadRequestException.class, () -> invoke(Map.of("inputs", List.of())));
        assertTrue(noRecipe.getMessage().contains("'recipe' is missing"), noRecipe.getMessage());
        BadRequestException typo = assertThrows(BadRequestException.class, () -> invoke(Map.of("inptus", List.of(), "recipe", "web")));
        assertTrue(typo.getMessage().contains("unknown field 'inptus'"), typo.getMessage());
        BadRequestException badRecipe = assertThrows(BadRequestException.class,
                () -> invoke(Map.of("inputs", List.of("s3://x/y.jpg"), "recipe", "no-such-recipe ++")));
        assertTrue(badRecipe.getMessage().startsWith("bad recipe:"), badRecipe.getMessage());
        BadRequestException unknownStep = assertThrows(BadRequestException.class, () -> invoke(Map.of("inputs", List.of("s3://x/y.jpg"),
                "recipe", Map.of("steps", List.of(Map.of("op", "fit", "width", 300))))));
        assertTrue(unknownStep.getMessage().startsWith("bad recipe: no step has \"op\": \"fit\"; the steps are orient, resize,"),
                unknownStep.getMessage());
        BadRequestException number = assertThrows(BadRequestException.class, () -> invoke(Map.of("inputs", List.of(), "recipe", 42)));
        assertTrue(number.getMessage().startsWith("'recipe' must be a string"), number.getMessage());
        String junk = "x".repeat(100_000);
        BadRequestException long_ = assertThrows(BadRequestException.class, () -> invoke(Map.of("inputs", List.of(), "recipe", junk)));
        assertTrue(long_.getMessage().length() < 1_000, "a 100 KB recipe gave a message of " + long_.getMessage().length() + " characters");
    }
}
