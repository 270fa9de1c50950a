package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.cli.RunCommandTest.pixqOut;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pixq.job.Await;
import pixq.job.Job;
import pixq.job.JobBuilders;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.local.LocalState;
import pixq.recipe.Json;
import pixq.recipe.Recipes;

/**
 * The dead-letter function under pixq serve's embedded backend, invoked as Lambda's SQS mapping would with
 * `aws lambda invoke`: it ends the job FAILED and keeps the message where the embedded `pixq redrive` finds it.
 */
@Timeout(300)
class ServeDeadLetterTest {
    @TempDir
    Path dir;

    @Test
    void theDeadLetterFunctionEndsTheJobFailedAndArchivesItsMessageForTheEmbeddedRedrive() throws Exception {
        // given serve's job whose worker crashed on each receive: its record left RUNNING, its message dead-lettered
        Path state = dir.resolve("state");
        Path data = dir.resolve("data");
        ServeTest.image(Files.createDirectories(data.resolve("pixq-input/d")).resolve("a.jpg"), "jpg", 300, 200);
        JobSpec spec = JobSpec.of("dead-1", "s3://pixq-input/d/a.jpg", "s3://pixq-output/d/", Recipes.resolve("thumbnail"), List.of());
        String[] options = {"--port", "0", "--state", state.toString(), "--data", data.toString(), "--concurrency", "1"};
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(options);
        serve.start();
        try {
            try (LocalState local = LocalState.open(state)) {
                Job queued = Job.queued(spec, Clock.systemUTC());
                local.jobs().insertNew(List.of(queued));
                local.jobs().update(queued, queued.start(Clock.systemUTC(), JobBuilders.LEASE));
            }
            Files.writeString(dir.resolve("dead.json"), sqsEvent("m-dead-1", spec.toJson()));

            // when Lambda's mapping of the dead-letter queue would invoke the function
            AwsCli.Result r = AwsCli.v1().invoke(dir, serve.port(), "DeadLetterFunction", "dead.json", "dead-out.json");

            // then the job is FAILED at once, and the message kept with the state's dead letters
            assertEquals(0, r.exit(), r.err());
            JsonNode invoked = Json.MAPPER.readTree(r.out());
            assertEquals(200, invoked.path("StatusCode").asInt(), r.out());
            assertTrue(invoked.path("FunctionError").isMissingNode(), r.out() + Files.readString(dir.resolve("dead-out.json")));
            assertEquals(0, Json.MAPPER.readTree(dir.resolve("dead-out.json").toFile()).path("batchItemFailures").size(),
                    Files.readString(dir.resolve("dead-out.json")));
            Job failed = job(state, spec);
            assertEquals(JobState.FAILED, failed.state());
            assertTrue(failed.lastError().startsWith("dead-lettered after 3 receives"), failed.lastError());
            try (LocalState local = LocalState.open(state)) {
                assertEquals(List.of(spec.toJson()), local.queue().deadLetters(10).stream().map(d -> d.body()).toList());
            }
        } finally {
            serve.stop();
        }

        // when pixq redrive runs on serve's state
        String redrove = pixqOut("redrive", "--state", state.toString());

        // then the job is queued again, for serve's worker function, which runs it once serve is back
        assertTrue(redrove.contains("redrove 1 job messages"), redrove);
        assertEquals(JobState.QUEUED, job(state, spec).state());
        ServeCommand again = new ServeCommand();
        new CommandLine(again).parseArgs(options);
        again.start();
        try {
            Await.until("the redriven job to succeed", Duration.ofSeconds(120), () -> job(state, spec).state() == JobState.SUCCEEDED);
            assertTrue(Files.exists(data.resolve("pixq-output/d/a-thumb.jpg")));
        } finally {
            again.stop();
        }
    }

    @Test
    void aMessageTheEmbeddedQueueDeadLettersWhileServeRunsEndsItsJobFailedAtOnce() throws Exception {
        // given serve running, and a job whose message has had its last receive (each worker died on it)
        Path state = dir.resolve("state");
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--port", "0", "--state", state.toString(), "--data", dir.resolve("data").toString(),
                "--in-process");
        serve.start();
        try {
            JobSpec spec = JobSpec.of("dead-2", "s3://pixq-input/d/b.jpg", "s3://pixq-output/d/", Recipes.resolve("thumbnail"), List.of());
            try (LocalState local = LocalState.open(state)) {
                Job queued = Job.queued(spec, Clock.systemUTC());
                local.jobs().insertNew(List.of(queued));
                local.jobs().update(queued, queued.start(Clock.systemUTC(), JobBuilders.LEASE));
            }
            exhaustedMessage(state.resolve("pixq.db"), spec);

            // when serve's worker mapping next receives, the queue dead-letters it
            Await.until("the job to end FAILED", Duration.ofSeconds(30), () -> job(state, spec).state() == JobState.FAILED);

            // then it says why, as the dead-letter function would, and the message waits for pixq redrive
            assertTrue(job(state, spec).lastError().startsWith("dead-lettered after 3 receives"), job(state, spec).lastError());
            try (LocalState local = LocalState.open(state)) {
                assertEquals(List.of(spec.toJson()), local.queue().deadLetters(10).stream().map(d -> d.body()).toList());
            }
        } finally {
            serve.stop();
        }
    }

    /**
     * The job's message as three receives whose workers all died leave it: visible, received three times (the
     * template's MaxReceives). Written straight into the state's queue table: through the queue's own API, serve's
     * poller could take it between the receives.
     */
    private static void exhaustedMessage(Path db, JobSpec spec) throws Exception {
        Instant now = Instant.now();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement insert = c.prepareStatement("INSERT INTO messages (id, body, sent_at, visible_at, receive_count,"
                     + " job_id, batch_id) VALUES (?, ?, ?, ?, 3, ?, ?)")) {
            insert.setString(1, "m-" + spec.id());
            insert.setString(2, spec.toJson());
            insert.setLong(3, nanos);
            insert.setLong(4, nanos);
            insert.setString(5, spec.id());
            insert.setString(6, spec.batchId());
            insert.executeUpdate();
        }
    }

    /** An SQS event of one message, as Lambda hands a queue's messages to a function. */
    private static String sqsEvent(String messageId, String body) throws Exception {
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("messageId", messageId).put("receiptHandle", "receipt-" + messageId).put("body", body)
                .put("eventSource", "aws:sqs").put("eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:pixq-DeadLetterQueue")
                .put("awsRegion", "us-east-1").put("md5OfBody", "");
        message.set("attributes", Json.MAPPER.valueToTree(Map.of("ApproximateReceiveCount", "1")));
        message.set("messageAttributes", Json.MAPPER.createObjectNode());
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.putArray("Records").add(message);
        return Json.MAPPER.writeValueAsString(event);
    }

    private static Job job(Path state, JobSpec spec) {
        try (LocalState local = LocalState.open(state)) {
            return local.jobs().find(spec.id()).orElseThrow();
        }
    }
}
