package pixq.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pixq.aws.Artifacts;
import pixq.aws.AwsConnection;
import pixq.aws.DynamoJobStore;
import pixq.serve.LocalContext;
import pixq.aws.Moto;
import pixq.aws.SubmitHandler;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.job.MissingTool;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import pixq.recipe.Json;

/**
 * The worker image as Lambda runs it, without Docker (functions/worker/Dockerfile read by {@link WorkerImage}):
 * its training RUN builds the worker offline and writes the ahead-of-time cache; its ENTRYPOINT and CMD (Lambda's
 * runtime client on that cache) then start as a SnapStart version starts, with -XX:AOTMode=on so that a cache the
 * JVM cannot use fails the start instead of slowing it, pass {@code /restore/next}, and turn an SQS batch into an
 * output in S3 and a SUCCEEDED record on moto, with OpenCV read from a read-only folder, no usable temporary folder
 * and, where strace is installed, no file written by the function's JVM.
 */
@ExtendWith(Moto.class)
class WorkerImageIT {
    private static final ObjectMapper JSON = Json.MAPPER;

    @TempDir
    static Path root;
    private static WorkerImage image;
    private static Artifacts.Run training;

    @BeforeAll
    static void buildTheImage() throws Exception {
        image = WorkerImage.layOut(root);
        List<String> command = new ArrayList<>(strace(root.resolve("training.strace")));
        command.addAll(image.command(WorkerImage.instruction("RUN", "-XX:AOTCacheOutput")));
        training = Artifacts.run(command, image.env).succeeded();
        // the build's check that this JVM takes the cache it wrote
        Artifacts.run(image.command(WorkerImage.instruction("RUN", "-XX:AOTMode=on")), image.env).succeeded();
        assertTrue(image.inRoot("/opt/lib").toFile().setWritable(false, false));
    }

    @Test
    void trainingRunBuildsTheWorkerOfflineAndWritesTheCache() throws Exception {
        JsonNode report = JSON.readTree(training.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
        assertEquals("pixq.aws.WorkerHandler", report.path("handler").asText(), training.output());
        assertTrue(report.path("outputBytes").asInt() > 0, training.output());
        assertTrue(Files.size(image.inRoot("/opt/pixq/worker.aot")) > 1_000_000, "worker.aot holds the loaded classes");
        // every library of the image's LD_PRELOAD loaded (ld.so only warns, and runs on, for one it cannot)
        assertFalse(training.output().contains("cannot be preloaded"), training.output());
    }

    @Test
    void workerInitOpensNoConnectionAndWritesNothingButTheCache() throws Exception {
        // Nothing for a SnapStart snapshot to carry stale, and no file a restored copy would miss.
        Path trace = root.resolve("training.strace");
        if (!Files.exists(trace)) {
            MissingTool.skipOrFail("no strace trace of the training run: install strace (never a pass without looking)");
        }
        List<String> lines = Files.readAllLines(trace);
        assertEquals(List.of(), lines.stream().filter(l -> l.contains("connect(") && l.matches(".*AF_INET6?.*")).toList(),
                "network connections opened while the worker started");
        assertEquals(List.of(), writes(lines).stream().filter(l -> !l.contains(root.resolve("opt/pixq/worker.aot").toString())).toList(),
                "files created or opened for writing, besides the cache");
    }

    @Test
    void trainingRunsUnderTheEntryPointsOptions() throws Exception {
        // a cache is used only under the options it was made with (class path, collector, natives' properties)
        List<String> trained = new ArrayList<>(WorkerImage.jvmOptions(WorkerImage.instruction("RUN", "-XX:AOTCacheOutput")));
        List<String> started = new ArrayList<>(WorkerImage.jvmOptions(WorkerImage.instruction("ENTRYPOINT", null)));
        assertTrue(trained.remove("-XX:AOTCacheOutput=/opt/pixq/worker.aot"), trained.toString());
        assertTrue(started.remove("-XX:AOTCache=/opt/pixq/worker.aot"), started.toString());
        assertEquals(started, trained);
        assertEquals(List.of("pixq.aws.WorkerHandler::handleRequest"), WorkerImage.instruction("CMD", null));
    }

    @Test
    void entryPointOnItsCacheHandlesAnSqsBatchAfterASnapStartRestore() throws Exception {
        // given: the stack on moto, one image submitted, its job message received as Lambda's poller receives it
        AwsConnection aws = Moto.connection();
        String name = Moto.unique("image");
        Template template = Template.read(Path.of("template.yaml"), Map.of());
        EmulatorStack stack = EmulatorStack.deploy(aws, name, template);
        String key = "incoming/IMG 0001 (1).jpg";
        aws.s3().putObject(b -> b.bucket(stack.inputBucket()).key(key), RequestBody.fromFile(Path.of("samples/landscape.jpg")));
        Map<String, String> env = new HashMap<>(Map.of("TABLE_NAME", stack.table(), "QUEUE_URL", stack.queueUrl(),
                "INPUT_BUCKETS", stack.inputBucket(), "OUTPUT_BUCKET", stack.outputBucket(),
                "AWS_ENDPOINT_URL", aws.endpoint().toString(), "AWS_REGION", "us-east-1"));
        new SubmitHandler(env::get, aws).handleRequest(Map.of("inputs", List.of("s3://" + stack.inputBucket() + "/" + key),
                "recipe", "thumbnail"), new LocalContext("SubmitFunction", Duration.ofMinutes(1), 1024));
        List<Message> messages = aws.sqs().receiveMessage(b -> b.queueUrl(stack.queueUrl()).maxNumberOfMessages(10)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        assertEquals(1, messages.size());
        // the function's environment as Lambda gives it to a SnapStart version; the cache must be used
        env.putAll(image.env); // the image's, then the function's own (Lambda sets those on top)
        env.putAll(template.function("WorkerFunction").env());
        // and no temporary folder it could use: a write there would fail the job
        Path notAFolder = Files.writeString(root.resolve("not-a-folder"), "");
        env.putAll(Map.of("TABLE_NAME", stack.table(), "AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start",
                "JAVA_TOOL_OPTIONS", "-XX:AOTMode=on -Djava.io.tmpdir=" + notAFolder.resolve("tmp")));
        Path trace = root.resolve("strace.log");
        List<String> strace = strace(trace);
        List<String> command = new ArrayList<>(strace);
        command.addAll(image.command(WorkerImage.instruction("ENTRYPOINT", null)));
        command.addAll(WorkerImage.instruction("CMD", null));
        StringBuilder log = new StringBuilder();

        // when
        RuntimeSandbox sandbox = RuntimeSandbox.start(template.function("WorkerFunction"), env, command, java.nio.file.Files.createTempDirectory("pixq-it-"), line -> log.append(line).append('\n'));
        FunctionInstance.Outcome outcome;
        try {
            outcome = sandbox.invoke("req-1", sqsEvent(messages.get(0)), Duration.ofMinutes(1));
        } finally {
            sandbox.close();
        }

        // then
        assertFalse(outcome.failed(), new String(outcome.payload()) + "\n" + log);
        assertEquals(0, JSON.readTree(outcome.payload()).path("batchItemFailures").size(), new String(outcome.payload()) + "\n" + log);
        assertTrue(sandbox.restored(), "the runtime client passed SnapStart's /restore/next after init\n" + log);
        // (but the two lines this test's own JAVA_TOOL_OPTIONS cause)
        assertEquals(List.of(), log.toString().lines().filter(l -> !l.startsWith("{") && !l.startsWith("Picked up JAVA_TOOL_OPTIONS")
                        && !l.equals("WARNING: java.io.tmpdir directory does not exist")).toList(),
                "lines of the function's log that are not JSON (CloudWatch Logs would get them)");
        Job job = new DynamoJobStore(aws.dynamo(), stack.table()).list(null, null, 10).get(0);
        // the output, and the manifest of the batch its job finished
        assertEquals(List.of("_pixq/manifests/" + job.spec().batchId() + ".jsonl", "incoming/IMG 0001 (1)-thumb.jpg"),
                aws.s3().listObjectsV2(b -> b.bucket(stack.outputBucket())).contents().stream().map(o -> o.key()).toList());
        assertEquals(JobState.SUCCEEDED, job.state(), job.toString());
        if (!strace.isEmpty()) {
            List<String> calls = Files.readAllLines(trace);
            assertEquals(List.of(), writes(calls), "files the worker's JVM created or opened for writing");
            // the thumbnail's rows came from the library jvm.options names (the build stage's, this machine's here)
            String library = image.inRoot("/opt/lib/libpixqimage.so").toString();
            assertTrue(calls.stream().anyMatch(l -> l.contains("\"" + library + "\"") && !l.contains("= -1 ")), "the worker opened " + library);
        }
    }

    /** Lambda's SQS event for one message. */
    private static byte[] sqsEvent(Message m) throws Exception {
        return JSON.writeValueAsBytes(Map.of("Records", List.of(Map.of("messageId", m.messageId(), "receiptHandle", m.receiptHandle(),
                "body", m.body(), "attributes", Map.of("ApproximateReceiveCount", "1", "SentTimestamp", Long.toString(System.currentTimeMillis())),
                "messageAttributes", Map.of(), "eventSource", "aws:sqs", "eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:jobs",
                "awsRegion", "us-east-1"))));
    }

    /** The traced calls that created a file or opened one for writing (/proc and /dev aside). */
    private static List<String> writes(List<String> trace) {
        return trace.stream().filter(l -> !l.contains("= -1 ") && !l.contains("\"/proc/") && !l.contains("\"/dev/")
                && (l.matches(".*O_(WRONLY|RDWR|CREAT).*") || l.matches(".*\\b(mkdir|mkdirat|symlink|symlinkat|link|linkat|rename|renameat2?|creat)\\(.*")))
                .toList();
    }

    /** strace's command prefix where it is installed (.ci/run installs it): file writes, creations, connections, all threads. */
    private static List<String> strace(Path log) {
        return MissingTool.optional("strace") ? List.of("strace", "-f", "-qq", "-o", log.toString(), "-e",
                "trace=open,openat,creat,mkdir,mkdirat,symlink,symlinkat,link,linkat,rename,renameat,renameat2,connect") : List.of();
    }
}
