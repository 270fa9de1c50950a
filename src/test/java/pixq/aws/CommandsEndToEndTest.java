package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pixq.serve.LocalContext;
import pixq.image.ExampleJob;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.recipe.Json;

/**
 * Users' own code in the worker function, on moto: the worker built from its environment with COMMANDS naming
 * the example job script (and a command too slow for the function), fed by the submit function.
 */
@ExtendWith(Moto.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandsEndToEndTest {
    private static final ObjectMapper JSON = Json.MAPPER;
    private TestStack stack;
    private WorkerHandler worker;

    @BeforeAll
    void deploy(@TempDir Path dir) throws IOException {
        Path slow = dir.resolve("slow.sh");
        Files.writeString(slow, "#!/bin/sh\nsleep 60\n");
        Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwxr-xr-x"));
        stack = new TestStack(Moto.connection(), "cmd");
        Map<String, String> env = stack.env();
        env.put("COMMANDS", "myjob=" + ExampleJob.script() + ",slow=" + slow);
        env.put("COMMAND_TIMEOUT_SECONDS", "600");
        worker = new WorkerHandler(env::get, stack.aws);
    }

    private Map<String, Object> submit(Map<String, Object> request) {
        return stack.submitHandler(stack.env()).handleRequest(request, new LocalContext("SubmitFunction", Duration.ofMinutes(1), 512));
    }

    private Map<String, Job> jobs(String batch) {
        return stack.store().list(batch, null, 100).stream()
                .collect(Collectors.toMap(j -> j.spec().input() != null ? j.spec().input() : String.join(" ", j.spec().args()), j -> j));
    }

    private static long failures(List<SQSBatchResponse> responses) {
        return responses.stream().mapToLong(r -> r.getBatchItemFailures().size()).sum();
    }

    @Test
    void droppedImagesRunTheScriptAndEveryFileItWritesIsAnOutput() throws IOException {
        // given a photo and a file the script cannot read
        stack.put("photos/a.jpg", TestStack.image(640, 480, "jpg"));
        stack.put("photos/broken.jpg", "not pixels".getBytes());
        String a = "s3://" + stack.inputBucket + "/photos/a.jpg";
        String broken = "s3://" + stack.inputBucket + "/photos/broken.jpg";

        // when
        Map<String, Object> submitted = submit(Map.of("inputs", List.of(a, broken), "recipe", "command myjob"));
        List<SQSBatchResponse> responses = stack.drain(worker);

        // then: the script's two files beside where the input's outputs go, recorded on the job
        Map<String, Job> jobs = jobs((String) submitted.get("batchId"));
        Job done = jobs.get(a);
        assertEquals(JobState.SUCCEEDED, done.state(), done.lastError());
        String out = "s3://" + stack.outputBucket + "/photos/";
        assertEquals(List.of(out + "a-gray.png", out + "a-stats.json"), done.outputs());
        JsonNode stats = JSON.readTree(stack.output("photos/a-stats.json"));
        assertEquals(List.of(640, 480), List.of(stats.get("width").asInt(), stats.get("height").asInt()));
        assertEquals(256, ImageIO.read(new ByteArrayInputStream(stack.output("photos/a-gray.png"))).getWidth());
        // and the script's failure fails its own job for good, with its message, without a retry
        Job failed = jobs.get(broken);
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(1, failed.attempts());
        assertTrue(failed.lastError().contains("myjob: cannot read the image"), failed.lastError());
        assertEquals(0, failures(responses));
    }

    @Test
    void theShippedArgsOnlyEventSucceedsOnceTheWorkerHasTheCommand() throws IOException {
        // given events/submit-args.json as shipped: [a], [b], [c --fast] for the command myjob
        @SuppressWarnings("unchecked")
        Map<String, Object> event = JSON.readValue(Path.of("events/submit-args.json").toFile(), Map.class);

        // when
        Map<String, Object> submitted = submit(event);
        stack.drain(worker);

        // then: three jobs SUCCEEDED, each with the files the script wrote for its args
        Map<String, Job> jobs = jobs((String) submitted.get("batchId"));
        assertEquals(List.of("a", "b", "c --fast"), jobs.keySet().stream().sorted().toList());
        for (Job job : jobs.values()) {
            assertEquals(JobState.SUCCEEDED, job.state(), job.lastError());
            String prefix = "s3://" + stack.outputBucket + "/add-jobs/" + job.id();
            assertEquals(List.of(prefix + "-pattern.png", prefix + "-result.json"), job.outputs());
            JsonNode result = JSON.readTree(stack.output("add-jobs/" + job.id() + "-result.json"));
            assertEquals(job.spec().args(), JSON.convertValue(result.get("args"), List.class));
        }
    }

    @Test
    void aCommandIsStoppedBeforeTheFunctionTimesOutAndItsJobFailsSayingSo() {
        // given a command that would run a minute, in a function with 13 s left
        Map<String, Object> submitted = submit(Map.of("args", List.of(List.of("x")), "recipe", "command slow"));

        // when
        long start = System.nanoTime();
        List<SQSBatchResponse> responses = stack.drain(worker, WorkerHandler.COMMAND_MARGIN.plusSeconds(3));

        // then: stopped with the function's margin to spare, FAILED for good with the reason
        Job job = jobs((String) submitted.get("batchId")).get("x");
        assertEquals(JobState.FAILED, job.state());
        assertTrue(job.lastError().contains("time limit of") && job.lastError().contains("worker's own time"), job.lastError());
        assertEquals(0, failures(responses));
        assertTrue(System.nanoTime() - start < 12e9, "not stopped before the function's end");
    }
}
