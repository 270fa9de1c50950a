package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.cli.RunCommandTest.pixqOut;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
