package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import pixq.job.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pixq.aws.AwsConnection;
import pixq.aws.DynamoJobStore;
import pixq.aws.Moto;
import pixq.aws.S3BlobStore;
import pixq.aws.SqsJobQueue;
import pixq.job.CostModel;
import pixq.job.Job;
import pixq.job.JobBuilders;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.Submitter;
import pixq.recipe.Recipes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sqs.SqsClient;
import pixq.recipe.Json;

/** The AWS commands against moto: invoke (template + sample events), cancel, redrive. */
@ExtendWith(Moto.class)
class AwsCommandsTest {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static AwsConnection aws;
    private static String table;
    private static String queueUrl;
    private static String dlqUrl;
    private static String[] names;
    private static String input;
    private static String output;

    @BeforeAll
    static void deploy() {
        aws = Moto.connection();
        table = Moto.unique("cli-jobs");
        DynamoJobStore.createTable(aws.dynamo(), table);
        SqsClient sqs = aws.sqs();
        queueUrl = sqs.createQueue(b -> b.queueName(Moto.unique("cli-jobs"))).queueUrl();
        dlqUrl = sqs.createQueue(b -> b.queueName(Moto.unique("cli-dlq"))).queueUrl();
        String archiveUrl = sqs.createQueue(b -> b.queueName(Moto.unique("cli-dlq-archive"))).queueUrl();
        input = Moto.unique("cli-in");
        output = Moto.unique("cli-out");
        aws.s3().createBucket(b -> b.bucket(input));
        aws.s3().createBucket(b -> b.bucket(output));
        names = new String[] {"--endpoint-url", Moto.connection().endpoint().toString(), "--region", "us-east-1",
            "--table", table, "--queue-url", queueUrl, "--dlq-url", dlqUrl, "--dlq-archive-url", archiveUrl, "--input-bucket", input, "--output-bucket", output};
    }

    private static String run(Object command, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(names)).toArray(String[]::new);
            int code = new CommandLine(command).execute(all);
            assertTrue(code == 0 || code == 2, "exit code " + code + ": " + out);
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static DynamoJobStore store() {
        return new DynamoJobStore(aws.dynamo(), table);
    }

    @Test
    void invokeRunsTheSubmitFunctionOfTheTemplateOnASampleEvent() throws Exception {
        // given: the sample args-only event (no input bucket needed)
        // when
        String printed = run(new InvokeCommand(), "SubmitFunction", "--event", "events/submit-args.json");

        // then
        JsonNode response = JSON.readTree(printed.substring(printed.indexOf("{\n")));
        assertEquals("add-jobs", response.get("batchId").asText());
        assertEquals(3, response.get("jobs").asInt() + response.get("duplicates").asInt());
        assertEquals(3, store().list("add-jobs", JobState.QUEUED, 10).size());
    }

    @Test
    void invokeRunsTheWorkerFunctionOnTheSampleSqsBatch() throws Exception {
        // when: a good message whose input does not exist here, and a malformed one
        String printed = run(new InvokeCommand(), "WorkerFunction", "--event", "events/sqs-batch.json");

        // then: both fail for good (not found, unreadable): no batch item failure to retry
        JsonNode response = JSON.readTree(printed.substring(printed.lastIndexOf("{\n")));
        assertEquals(0, response.get("batchItemFailures").size(), printed);
        JobSpec good = JobSpec.fromJson(JSON.readTree(Files.readString(Path.of("events/sqs-batch.json"))).get("Records").get(0).get("body").asText());
        Job job = store().find(good.id()).orElseThrow();
        assertEquals(JobState.FAILED, job.state());
        assertTrue(job.lastError().contains("no such input"), job.lastError());
    }

    @Test
    void invokeRunsTheWorkerFunctionWithTheCommandsAParameterOverrideGives(@TempDir Path dir) throws Exception {
        // given: an SQS event carrying an args-only job for the example script (as events/sqs-batch.json is made)
        JobSpec spec = JobSpec.of("invoke-cmd", null, "s3://" + output + "/invoke-cmd/", Recipes.resolve("command myjob"), List.of("a"));
        Map<String, Object> record = Map.of("messageId", "m-1", "receiptHandle", "r-1", "body", spec.toJson(),
                "eventSource", "aws:sqs", "attributes", Map.of("ApproximateReceiveCount", "1"));
        Path event = dir.resolve("event.json");
        JSON.writeValue(event.toFile(), Map.of("Records", List.of(record)));

        // when
        run(new InvokeCommand(), "WorkerFunction", "--event", event.toString(),
                "--parameter-overrides", "Commands=myjob=" + pixq.image.ExampleJob.script());

        // then
        Job done = store().find(spec.id()).orElseThrow();
        assertEquals(JobState.SUCCEEDED, done.state(), done.lastError());
        assertEquals(List.of("s3://" + output + "/invoke-cmd/" + spec.id() + "-pattern.png",
                "s3://" + output + "/invoke-cmd/" + spec.id() + "-result.json"), done.outputs());
    }

    @Test
    void submitArgsOnlyMakesOneJobPerArgumentWithTheArgsAddedToEach() {
        // when: as add_jobs.py a b, each job also given --fast
        String printed = run(new SubmitCommand(), "--recipe", "command myjob", "--batch", "cli-args", "--args-only", "a", "b", "--arg", "--fast");

        // then
        assertTrue(printed.contains("batch cli-args: 2 jobs queued"), printed);
        assertEquals(java.util.Set.of(List.of("a", "--fast"), List.of("b", "--fast")), store().list("cli-args", JobState.QUEUED, 10)
                .stream().map(j -> j.spec().args()).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void cancelCancelsTheUnfinishedJobsOfABatch() {
        // given
        Job queued = JobBuilders.aJob().spec(JobBuilders.aSpec().batch("to-cancel").input("s3://" + input + "/1.jpg")
                .output("s3://" + output + "/c/")).build();
        Job done = JobBuilders.aJob().spec(JobBuilders.aSpec().batch("to-cancel").input("s3://" + input + "/2.jpg")
                .output("s3://" + output + "/c/")).state(JobState.SUCCEEDED).build();
        store().insertNew(List.of(queued, done));

        // when
        String printed = run(new CancelCommand(), "to-cancel");

        // then
        assertTrue(printed.contains("canceled 1 of 1"), printed);
        assertEquals(JobState.CANCELED, store().find(queued.id()).orElseThrow().state());
        assertEquals(JobState.SUCCEEDED, store().find(done.id()).orElseThrow().state());
        // the batch is finished: its manifest is written (a first line of counts, then one line per job)
        String manifest = aws.s3().getObjectAsBytes(b -> b.bucket(output).key("_pixq/manifests/to-cancel.jsonl")).asUtf8String();
        assertEquals(3, manifest.lines().count(), manifest);
    }

    @Test
    void redriveMovesDeadLettersBackAndRequeuesTheirRecords() {
        // given: a job that failed for good and whose message is in the dead-letter queue
        Job queued = JobBuilders.aJob().spec(JobBuilders.aSpec().batch("to-redrive").input("s3://x/3.jpg")).build();
        Job failed = queued.start(Clock.systemUTC(), JobBuilders.LEASE).fail("dead-lettered", Clock.systemUTC());
        store().insertNew(List.of(failed));
        new SqsJobQueue(aws.sqs(), dlqUrl, Duration.ZERO).send(List.of(failed.spec()));

        // when
        String printed = run(new RedriveCommand());

        // then
        assertTrue(printed.contains("redrove 1 job messages"), printed);
        assertEquals(JobState.QUEUED, store().find(failed.id()).orElseThrow().state());
        var onQueue = new SqsJobQueue(aws.sqs(), queueUrl, Duration.ZERO).receive(10);
        assertTrue(onQueue.stream().anyMatch(d -> JobSpec.fromJson(d.body()).id().equals(failed.id())));
        assertEquals(List.of(), new SqsJobQueue(aws.sqs(), dlqUrl, Duration.ZERO).receive(10));
    }

    @Test
    void retrySendsTheQueuedJobsAStoppedRetryNeverSentAMessage() {
        // given a failed job a retry requeued and was stopped before sending its message
        Job queued = JobBuilders.aJob().spec(JobBuilders.aSpec().batch("to-resend").input("s3://x/4.jpg")).build();
        Job failed = queued.start(Clock.systemUTC(), JobBuilders.LEASE).fail("S3 was down", Clock.systemUTC());
        store().insertNew(List.of(failed));
        assertTrue(store().update(failed, failed.requeue()));

        // when retry runs again
        run(new RetryCommand(), "to-resend");

        // then the job has its message, and its record says it was sent
        var onQueue = new SqsJobQueue(aws.sqs(), queueUrl, Duration.ZERO).receive(10);
        assertTrue(onQueue.stream().anyMatch(d -> JobSpec.fromJson(d.body()).id().equals(failed.id())), onQueue.toString());
        assertNotNull(store().find(failed.id()).orElseThrow().sentAt());
    }

    @Test
    void workerInBurstModeWorksOffItsQueueThenExits() throws Exception {
        // given two jobs on a queue of their own, one image missing
        String jobsUrl = aws.sqs().createQueue(b -> b.queueName(Moto.unique("cli-burst"))).queueUrl();
        putJpeg("burst/a.jpg");
        List<JobSpec> specs = List.of(
                JobSpec.of("burst", "s3://" + input + "/burst/a.jpg", "s3://" + output + "/burst/", Recipes.resolve("thumbnail"), List.of()),
                JobSpec.of("burst", "s3://" + input + "/burst/missing.jpg", "s3://" + output + "/burst/", Recipes.resolve("thumbnail"), List.of()));
        new Submitter(store(), new SqsJobQueue(aws.sqs(), jobsUrl, Duration.ZERO), new S3BlobStore(aws.s3()),
                Clock.systemUTC()).submit("burst", specs);

        // when
        int exit = new CommandLine(new WorkerCommand()).execute("--burst", "--endpoint-url", aws.endpoint().toString(),
                "--region", "us-east-1", "--table", table, "--queue-url", jobsUrl);

        // then it returned by itself, with the good job done and the bad one failed for good
        assertEquals(0, exit);
        assertEquals(JobState.SUCCEEDED, store().find(specs.get(0).id()).orElseThrow().state());
        assertEquals(256, ImageIO.read(new ByteArrayInputStream(aws.s3().getObjectAsBytes(
                b -> b.bucket(output).key("burst/a-thumb.jpg")).asByteArray())).getWidth());
        Job missing = store().find(specs.get(1).id()).orElseThrow();
        assertEquals(JobState.FAILED, missing.state());
        assertTrue(missing.lastError().contains("no such input"), missing.lastError());
        assertEquals(List.of(), new SqsJobQueue(aws.sqs(), jobsUrl, Duration.ZERO).receive(10));
        // and the batch it finished has its manifest, as when the worker function ends one
        String manifest = aws.s3().getObjectAsBytes(b -> b.bucket(output).key("_pixq/manifests/burst.jsonl")).asUtf8String();
        assertEquals(3, manifest.lines().count(), manifest);
        assertTrue(manifest.contains(specs.get(1).id()) && manifest.contains("no such input"), manifest);
    }

    @Test
    void statusSaysHowManyOutputsABatchReplacedWhereTheWorkerWroteOverEarlierOnes() throws Exception {
        // given a photo made into replaced/a.png by one batch, then by a second batch with another size
        String jobsUrl = aws.sqs().createQueue(b -> b.queueName(Moto.unique("cli-replaced"))).queueUrl();
        putJpeg("replaced/a.jpg");
        for (int size : List.of(200, 100)) {
            String batch = "cli-replaced-" + size;
            JobSpec spec = JobSpec.of(batch, "s3://" + input + "/replaced/a.jpg", "s3://" + output + "/replaced/",
                    Recipes.resolve("fit " + size + "x" + size + " | png"), List.of());
            new Submitter(store(), new SqsJobQueue(aws.sqs(), jobsUrl, Duration.ZERO), new S3BlobStore(aws.s3()), Clock.systemUTC())
                    .submit(batch, List.of(spec));
            assertEquals(0, new CommandLine(new WorkerCommand()).execute("--burst", "--endpoint-url", aws.endpoint().toString(),
                    "--region", "us-east-1", "--table", table, "--queue-url", jobsUrl));
        }

        // when
        String first = run(new StatusCommand(), "cli-replaced-200");
        String second = run(new StatusCommand(), "cli-replaced-100");

        // then the second batch's status says its output replaced the first one's, and the first's says nothing
        assertFalse(first.contains("outputs replaced"), first);
        assertTrue(second.contains("1 outputs replaced earlier ones of the same name"), second);
    }

    private void putJpeg(String key) throws IOException {
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB), "jpg", jpeg);
        aws.s3().putObject(b -> b.bucket(input).key(key), RequestBody.fromBytes(jpeg.toByteArray()));
    }

    @Test
    void workerOnSigtermFinishesTheJobItRunsThenExits(@TempDir Path dir) throws Exception {
        // given a worker process (as a Fargate task runs it) with a command that takes 3 s, and a job for it
        Path slow = dir.resolve("slow.sh");
        Files.writeString(slow, "#!/bin/sh\nsleep 3\necho done > \"$PIXQ_OUTPUT_DIR/done.txt\"\n");
        Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwxr-xr-x"));
        String jobsUrl = aws.sqs().createQueue(b -> b.queueName(Moto.unique("cli-term"))).queueUrl();
        JobSpec spec = JobSpec.of("term", null, "s3://" + output + "/term/", Recipes.resolve("command slow"), List.of("x"));
        new Submitter(store(), new SqsJobQueue(aws.sqs(), jobsUrl, Duration.ZERO), new S3BlobStore(aws.s3()), Clock.systemUTC())
                .submit("term", List.of(spec));
        ProcessBuilder worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "worker", "--pollers", "1",
                "--endpoint-url", aws.endpoint().toString(), "--region", "us-east-1", "--table", table, "--queue-url", jobsUrl)
                .redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile());
        worker.environment().put("COMMANDS", "slow=" + slow);
        Process process = worker.start();

        // when: SIGTERM (ECS stopping the task) arrives while the job runs
        // (a JVM starting on a busy 2-core machine: the bound is generous, the wait ends as soon as the job runs)
        Await.until("the job to run", Duration.ofSeconds(90), () -> store().find(spec.id()).orElseThrow().state() == JobState.RUNNING
                || !process.isAlive());
        assertTrue(process.isAlive(), "the worker exited: " + Files.readString(dir.resolve("worker.log")));
        process.destroy();

        // then: the job finished and was recorded, its message deleted, and the worker exited by itself
        assertTrue(process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), Files.readString(dir.resolve("worker.log")));
        Job done = store().find(spec.id()).orElseThrow();
        assertEquals(JobState.SUCCEEDED, done.state(), Files.readString(dir.resolve("worker.log")));
        assertEquals(List.of("s3://" + output + "/term/" + spec.id() + "-done.txt"), done.outputs());
        assertEquals(List.of(), new SqsJobQueue(aws.sqs(), jobsUrl, Duration.ZERO).receive(10));
    }

    @Test
    void submitQueuesOneJobPerInputWithTheRecipeResolvedHere() {
        // given
        for (String key : List.of("s/a.jpg", "s/b.jpg")) {
            aws.s3().putObject(b -> b.bucket(input).key(key), RequestBody.fromBytes(new byte[] {1}));
        }

        // when
        String printed = run(new SubmitCommand(), "--recipe", "orient | fit 300 | webp 80", "--batch", "cli-submit",
                "s3://" + input + "/s/a.jpg", "s3://" + input + "/s/b.jpg", "s3://" + input + "/s/missing.jpg");

        // then
        assertTrue(printed.contains("batch cli-submit: 2 jobs queued, 0 duplicates, 1 rejected"), printed);
        List<Job> queued = store().list("cli-submit", JobState.QUEUED, 10);
        assertEquals(2, queued.size());
        assertEquals(Recipes.resolve("orient | fit 300 | webp 80"), queued.get(0).spec().recipe());
        assertEquals("s3://" + output + "/s/", queued.get(0).spec().output());
        // and the printed hint works as printed: the same table, region and endpoint, nothing else to add
        String hint = printed.lines().filter(l -> l.startsWith("watch it: ")).findFirst().orElseThrow().substring("watch it: ".length());
        assertTrue(hint.startsWith("pixq watch cli-submit --region us-east-1 --endpoint-url " + Moto.connection().endpoint()), hint);
        String[] words = hint.substring("pixq ".length()).split(" ");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.commandLine(words).execute(java.util.stream.Stream.concat(java.util.Arrays.stream(words),
                    java.util.stream.Stream.of("--once")).toArray(String[]::new)), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("cli-submit"), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void statusOfAFinishedBatchPrintsItsEstimatedCostFromItsRecords() {
        // given a batch of two jobs that ran 3 s and 1 s, one output each
        Instant t0 = Instant.parse("2026-12-06T10:00:00Z");
        for (int i = 0; i < 2; i++) {
            JobSpec spec = JobSpec.of("cli-cost", "s3://" + input + "/cost/" + i + ".jpg", "s3://" + output + "/cost/",
                    Recipes.resolve("thumbnail"), List.of());
            Job queued = Job.queued(spec, Clock.fixed(t0, ZoneOffset.UTC));
            Job running = queued.start(Clock.fixed(t0.plusSeconds(10), ZoneOffset.UTC), Duration.ofMinutes(5));
            Job done = running.succeed(List.of("s3://" + output + "/cost/" + i + "-thumb.jpg"),
                    0, Clock.fixed(t0.plusSeconds(10 + 3 - 2 * i), ZoneOffset.UTC));
            store().insertNew(List.of(queued));
            assertTrue(store().update(queued, running) && store().update(running, done));
        }

        // when
        String printed = run(new StatusCommand(), "cli-cost");

        // then: 2 jobs, 2 attempts, 2 outputs, 4 job-seconds, records under 1 KB, priced as CostModelTest checks
        CostModel.Usage usage = new CostModel.Usage(2, 2, 2, 4.0, 1);
        String expected = new CostModel(CostModel.X86_64, CostModel.Deployment.TEMPLATE).line(usage);
        assertTrue(printed.contains(expected), printed);
        assertTrue(printed.contains("for 2 jobs"), printed);
    }
}
