package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pixq.serve.LocalContext;
import pixq.cli.Main;
import pixq.image.EngineConfig;
import pixq.image.OpenCvImageEngine;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.MutableClock;
import pixq.job.Submitter;
import pixq.recipe.RecipeString;
import pixq.recipe.Recipes;
import pixq.worker.BatchRunner;
import pixq.worker.QueueWorker;
import pixq.worker.WorkerConfig;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Issue 9's queue faults on SQS and DynamoDB (moto): resubmission, a job longer than its lease, dead letters. */
@ExtendWith(Moto.class)
class QueueFaultsTest {
    private static AwsConnection aws;

    @TempDir
    Path dir;

    @BeforeAll
    static void connect() {
        aws = Moto.connection();
    }

    @Test
    void submittingAgainSendsNoSecondMessageWhileTheFirstMayStillWait() {
        // given: a queue keeping messages 60 s, and three jobs submitted five times (five interrupted submissions)
        TestStack stack = new TestStack(aws, "resubmit");
        aws.sqs().setQueueAttributes(b -> b.queueUrl(stack.queueUrl).attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "60")));
        MutableClock clock = new MutableClock(Instant.now());
        Submitter submitter = new Submitter(stack.store(), new SqsJobQueue(aws.sqs(), stack.queueUrl, Duration.ZERO), new S3BlobStore(stack.s3), clock);
        List<JobSpec> specs = IntStream.range(0, 3).mapToObj(i -> JobSpec.of("resubmit", "s3://" + stack.inputBucket + "/" + i + ".jpg",
                "s3://" + stack.outputBucket + "/", Recipes.resolve("thumbnail"), List.of())).toList();

        // when
        for (int i = 0; i < 5; i++) {
            submitter.submit("resubmit", specs);
        }
        int afterFive = messages(stack.queueUrl);
        clock.advance(Duration.ofSeconds(61)); // past the retention: the first messages may be gone
        submitter.submit("resubmit", specs);

        // then
        assertEquals(3, afterFive);
        assertEquals(6, messages(stack.queueUrl));
        assertEquals(clock.instant(), stack.store().find(specs.get(0).id()).orElseThrow().sentAt());
    }

    @Test
    void aJobLongerThanTheQueuesVisibilityTimeoutRunsOnceOnSqs() throws Exception {
        // given: a 1 s visibility timeout (read from the queue) and a command that takes 3.5 s and counts its runs
        TestStack stack = new TestStack(aws, "long");
        Path runs = dir.resolve("runs.txt");
        Path slow = dir.resolve("slow.sh");
        Files.writeString(slow, "#!/bin/sh\necho run >> '" + runs + "'\nsleep 3.5\ncp \"$1\" \"$2\"\n");
        Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwxr-xr-x"));
        stack.put("long/a.png", TestStack.image(64, 48, "png"));
        JobSpec spec = JobSpec.of("long", "s3://" + stack.inputBucket + "/long/a.png", "s3://" + stack.outputBucket + "/long/",
                RecipeString.parse("command slow | png"), List.of());
        SqsJobQueue queue = new SqsJobQueue(aws.sqs(), stack.queueUrl, Duration.ZERO);
        new Submitter(stack.store(), queue, new S3BlobStore(stack.s3), Clock.systemUTC()).submit("long", List.of(spec));
        SqsJobQueue.Settings settings = queue.settings();
        WorkerConfig config = WorkerConfig.defaults().withParallelism(2).withLease(settings.visibilityTimeout())
                .withMaxReceives(settings.maxReceives()).withTimeLimit(Duration.ofMinutes(1));
        var engine = new OpenCvImageEngine(EngineConfig.defaults().withCommands(Map.of("slow", slow)));

        // when: two pollers, the second one free to take the message if it showed again
        try (BatchRunner runner = new BatchRunner(stack.store(), new S3BlobStore(stack.s3), engine, config, Clock.systemUTC())) {
            new QueueWorker(queue, runner, 2, r -> {}).run(() -> false,
                    () -> stack.store().find(spec.id()).orElseThrow().state().isFinished());
        }

        // then
        assertEquals(Duration.ofSeconds(1), settings.visibilityTimeout());
        assertEquals(TestStack.MAX_RECEIVES, settings.maxReceives());
        Job job = stack.store().find(spec.id()).orElseThrow();
        assertEquals(JobState.SUCCEEDED, job.state(), String.valueOf(job.lastError()));
        assertEquals(1, job.attempts());
        assertEquals(List.of("run"), Files.readAllLines(runs));
    }

    @Test
    void aDeadLetteredMessageEndsItsJobFailedAtOnceAndRedriveTakesItRightAfter() {
        // given: a job whose worker crashed on each of its receives (nothing recorded, the message never deleted)
        TestStack stack = new TestStack(aws, "dead");
        String archiveUrl = aws.sqs().createQueue(b -> b.queueName(Moto.unique("dead-archive"))).queueUrl();
        JobSpec spec = JobSpec.of("dead", "s3://" + stack.inputBucket + "/dead/a.jpg", "s3://" + stack.outputBucket + "/dead/",
                Recipes.resolve("thumbnail"), List.of());
        new Submitter(stack.store(), new SqsJobQueue(aws.sqs(), stack.queueUrl, Duration.ZERO), new S3BlobStore(stack.s3), Clock.systemUTC()).submit("dead", List.of(spec));
        List<Message> inDlq = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (inDlq.isEmpty() && System.nanoTime() < deadline) {
            stack.receive(stack.queueUrl); // received and dropped: SQS moves it once MAX_RECEIVES receives are spent
            inDlq = stack.receive(stack.dlqUrl);
        }
        assertEquals(1, inDlq.size(), "dead-lettered by SQS");

        // when: Lambda hands the dead letter to the dead-letter function
        Map<String, String> env = Map.of("TABLE_NAME", stack.table, "ARCHIVE_QUEUE_URL", archiveUrl, "MAX_RECEIVES", "2");
        var response = new DeadLetterHandler(env::get, aws).handleRequest(TestStack.event(inDlq),
                new LocalContext("DeadLetterFunction", Duration.ofMinutes(1), 512));
        inDlq.forEach(m -> aws.sqs().deleteMessage(b -> b.queueUrl(stack.dlqUrl).receiptHandle(m.receiptHandle())));

        // then: FAILED with the reason, at once; and pixq redrive right after requeues it
        assertEquals(List.of(), response.getBatchItemFailures());
        Job failed = stack.store().find(spec.id()).orElseThrow();
        assertEquals(JobState.FAILED, failed.state());
        assertTrue(failed.lastError().startsWith("dead-lettered after 2 receives: the worker timed out or crashed"), failed.lastError());
        assertEquals(1, stack.store().counts("dead").of(JobState.FAILED));
        String printed = pixq("redrive", "--endpoint-url", aws.endpoint().toString(), "--region", "us-east-1", "--table", stack.table,
                "--queue-url", stack.queueUrl, "--dlq-url", stack.dlqUrl, "--dlq-archive-url", archiveUrl);
        assertTrue(printed.contains("redrove 1 job messages"), printed);
        assertEquals(JobState.QUEUED, stack.store().find(spec.id()).orElseThrow().state());
        assertEquals(1, messages(stack.queueUrl));
    }

    /** Messages on the queue, visible or not. */
    private static int messages(String url) {
        Map<QueueAttributeName, String> counts = aws.sqs().getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    private static String pixq(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(out, true));
            Main.commandLine(args).execute(args);
        } finally {
            System.setOut(old);
        }
        return out.toString();
    }
}
