package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.JobState;
import pixq.recipe.Json;

/**
 * The submit function exactly as `sam build` packs it (the makefile target's lib/, nothing else on the class
 * path) handles a real request against moto: the slim jar leaves out nothing the function needs.
 */
@ExtendWith(Moto.class)
class SubmitArtifactIT {
    @TempDir
    Path scratch;

    @Test
    void builtSubmitFunctionQueuesAListOfInputs() throws Exception {
        // given
        TestStack stack = new TestStack(Moto.connection(), "artifact");
        stack.put("photos/a.jpg", new byte[] {1});
        stack.put("photos/b.jpg", new byte[] {1});
        Path event = Files.writeString(scratch.resolve("event.json"), "{\"recipe\": \"thumbnail\", \"inputs\": [\"s3://"
                + stack.inputBucket + "/photos/a.jpg\", \"s3://" + stack.inputBucket + "/photos/b.jpg\"]}");
        Path artifacts = scratch.resolve("SubmitFunction");
        Map<String, String> env = new HashMap<>(stack.env());
        env.put("AWS_ENDPOINT_URL", Moto.connection().endpoint().toString());
        env.put("AWS_REGION", Moto.connection().region());

        // when
        Artifacts.Run make = Artifacts.buildSubmit(artifacts);
        Artifacts.Run probe = Artifacts.probe(artifacts.resolve("lib"), env, "submit", event.toString());

        // then
        assertEquals(0, make.exit(), make.output());
        assertEquals(0, probe.exit(), probe.output());
        List<String> lines = probe.output().lines().toList();
        JsonNode response = Json.MAPPER.readTree(lines.get(lines.size() - 1)).path("response");
        assertEquals(2, response.path("jobs").asInt(), probe.output());
        assertEquals(2, stack.store().list(response.path("batchId").asText(), JobState.QUEUED, 10).size());
        assertTrue(response.path("rejected").isEmpty(), probe.output());
    }
}
