package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.MissingTool;
import pixq.local.LocalState;
import pixq.recipe.Json;

/** A batch's manifest and completion event on this machine: pixq run, status --manifest, retry. */
class BatchManifestTest {
    private static final int IMAGES = 1000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void a_batch_of_1000_gets_a_manifest_matching_status_for_every_job_and_one_event_per_completion() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        tinyImages(in);
        Files.writeString(in.resolve("broken.png"), "not an image"); // fails its own job
        String state = dir.resolve("state").toString();
        Path event = dir.resolve("event.json");

        int exit = RunCommandTest.pixq("run", in.toString(), "--out", dir.resolve("out").toString(), "--recipe", "fit 4x4 | jpeg 80",
                "--state", state, "--on-batch-done", "cat > '" + event + "'");

        assertEquals(2, exit); // one failed
        String batch;
        try (LocalState local = LocalState.open(Path.of(state))) {
            batch = local.jobs().batches().get(0).batchId();
        }
        List<JsonNode> manifest = lines(RunCommandTest.pixqOut("status", batch, "--manifest", "--state", state));
        assertEquals(IMAGES + 2, manifest.size());
        JsonNode header = manifest.get(0);
        assertEquals("batch", header.get("type").asText());
        assertEquals(IMAGES + 1, header.get("counts").get("total").asLong());
        assertEquals(IMAGES, header.get("counts").get("succeeded").asLong());
        assertEquals(1, header.get("counts").get("failed").asLong());
        assertEquals("jpeg", header.get("recipe").get("outputs").get(0).get("format").asText().toLowerCase());

        // every job's line says what pixq status --jobs says of it
        Map<String, String> status = new HashMap<>();
        for (String line : RunCommandTest.pixqOut("status", batch, "--jobs", "--limit", "5000", "--state", state).split("\n")) {
            status.put(line.substring(0, line.indexOf(' ')), line);
        }
        assertEquals(IMAGES + 1, status.size());
        for (JsonNode job : manifest.subList(1, manifest.size())) {
            String shown = status.get(job.get("job").asText());
            List<String> outputs = new ArrayList<>();
            for (JsonNode output : job.get("outputs")) {
                outputs.add(output.get("uri").asText());
                assertEquals(Files.size(Path.of(URI.create(output.get("uri").asText()))), output.get("bytes").asLong());
            }
            String expected = String.format("%s  %-9s  %s%s", job.get("job").asText(), job.get("state").asText(), job.get("input").asText(),
                    outputs.isEmpty() ? "" : "  -> " + String.join(", ", outputs));
            assertEquals(expected, shown);
            boolean failed = job.get("state").asText().equals("FAILED");
            assertEquals(failed, job.get("input").asText().endsWith("broken.png"));
            assertEquals(failed ? "failed" : null, failed ? job.get("error").get("kind").asText() : null);
            assertEquals(1, job.get("attempts").asInt());
        }
        assertEquals(IMAGES + 2, RunCommandTest.pixqOut("status", batch, "--manifest", "--format", "csv", "--state", state).split("\n").length);

        JsonNode announced = Json.MAPPER.readTree(Files.readString(event));
        assertEquals("pixq", announced.get("source").asText());
        assertEquals("Batch Finished", announced.get("detail-type").asText());
        assertEquals(batch, announced.get("detail").get("batchId").asText());
        assertEquals(header.get("completion").asLong(), announced.get("detail").get("completion").asLong());
        assertTrue(Files.isRegularFile(Path.of(announced.get("detail").get("manifest").asText())));

        // a retry finishes the batch anew: a new manifest and a new event
        Files.delete(event);
        RunCommandTest.pixq("retry", batch, "--state", state);
        List<JsonNode> rewritten = lines(RunCommandTest.pixqOut("status", batch, "--manifest", "--state", state));
        assertTrue(rewritten.get(0).get("completion").asLong() > header.get("completion").asLong(), "a new completion");
        JsonNode retried = rewritten.stream().filter(l -> l.path("input").asText().endsWith("broken.png")).findFirst().orElseThrow();
        assertEquals("FAILED", retried.get("state").asText());
        assertEquals(IMAGES + 2, rewritten.size());
    }

    /** Tiny PNGs made by ImageMagick, not by pixq: one drawn, the rest its copies under other names. */
    private static void tinyImages(Path in) throws Exception {
        if (!MissingTool.onPath("convert")) {
            MissingTool.skipOrFail("ImageMagick's convert is not installed (Debian package imagemagick)");
        }
        Path first = in.resolve("img-0000.png");
        Process p = new ProcessBuilder("convert", "-size", "8x8", "gradient:red-blue", first.toString()).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "convert failed");
        for (int i = 1; i < IMAGES; i++) {
            Files.copy(first, in.resolve(String.format("img-%04d.png", i)));
        }
    }

    private static List<JsonNode> lines(String jsonLines) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : jsonLines.split("\n")) {
            lines.add(Json.MAPPER.readTree(line));
        }
        return lines;
    }
}
