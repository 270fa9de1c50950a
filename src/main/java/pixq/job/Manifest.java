package pixq.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import pixq.recipe.Json;

/**
 * A batch's manifest: JSON Lines, a first line for the batch (counts, start, end, recipe), then one line per
 * job, oldest first (id, input and its version, state, attempts, outputs with their bytes, how many of them
 * replaced earlier ones, error kind and reason, duration). Streamed a page of jobs at a time: a batch of 100,000
 * jobs is never held in memory.
 */
public final class Manifest {
    static final int PAGE = 500;
    /** Outputs stat'ed at once: on S3 each is a request, so a page's run side by side. */
    private static final int STATS_AT_ONCE = 16;
    private static final String[] CSV_COLUMNS = {"job", "input", "inputVersion", "state", "attempts", "outputs", "outputBytes",
        "replaced", "errorKind", "error", "durationSeconds"};

    private Manifest() {}

    /** Writes the manifest of the batch {@code event} announces; the store's first page is {@code first}. */
    static void write(JobStore store, BlobStore blobs, BatchFinished event, List<Job> first, OutputStream out) throws IOException {
        ExecutorService stats = Executors.newFixedThreadPool(STATS_AT_ONCE, DaemonThreads.named("pixq-manifest"));
        try {
            ObjectNode header = event.detail();
            header.remove("manifest");
            header.put("type", "batch");
            header.set("recipe", Json.MAPPER.valueToTree(first.get(0).spec().recipe()));
            line(out, header);
            List<Job> page = first;
            while (!page.isEmpty()) {
                List<Future<List<Long>>> sizes = new ArrayList<>();
                for (Job job : page) {
                    sizes.add(stats.submit(() -> job.outputs().stream().map(uri -> blobs.stat(uri).map(BlobStore.Stat::size).orElse(null)).toList()));
                }
                for (int i = 0; i < page.size(); i++) {
                    line(out, jobLine(page.get(i), sizes.get(i).get()));
                }
                page = page.size() < PAGE ? List.of() : store.listAfter(event.batchId(), null, page.get(page.size() - 1).id(), PAGE);
            }
        } catch (ExecutionException e) {
            throw new StoreException("could not read an output's size: " + Reason.of(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the manifest", e);
        } finally {
            stats.shutdownNow();
        }
    }

    private static void line(OutputStream out, JsonNode node) throws IOException {
        out.write(Json.MAPPER.writeValueAsBytes(node));
        out.write('\n');
    }

    /** One job's line; {@code sizes} are its outputs' bytes in order (null: the output is gone). */
    static ObjectNode jobLine(Job job, List<Long> sizes) {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("type", "job");
        line.put("job", job.id());
        line.put("input", job.spec().input());
        line.put("inputVersion", job.spec().inputVersion());
        if (!job.spec().args().isEmpty()) {
            line.set("args", Json.MAPPER.valueToTree(job.spec().args()));
        }
        line.put("state", job.state().name());
        line.put("attempts", job.attempts());
        ArrayNode outputs = line.putArray("outputs");
        for (int i = 0; i < job.outputs().size(); i++) {
            ObjectNode output = outputs.addObject();
            output.put("uri", job.outputs().get(i));
            output.put("bytes", sizes.get(i));
        }
        line.put("replaced", job.replaced());
        Optional<String> kind = errorKind(job);
        if (kind.isPresent()) {
            ObjectNode error = line.putObject("error");
            error.put("kind", kind.get());
            error.put("reason", job.lastError());
        } else {
            line.putNull("error");
        }
        line.put("started", job.startedAt() == null ? null : job.startedAt().toString());
        line.put("finished", job.finishedAt() == null ? null : job.finishedAt().toString());
        line.put("durationSeconds", job.startedAt() == null || job.finishedAt() == null ? null
                : Duration.between(job.startedAt(), job.finishedAt()).toMillis() / 1000.0);
        return line;
    }

    /**
     * "canceled"; for a failed job "dead-lettered" (the queue gave up on it: retrying may help) or "failed" (its
     * input or recipe is at fault); none for a job that succeeded.
     */
    static Optional<String> errorKind(Job job) {
        return switch (job.state()) {
            case CANCELED -> Optional.of("canceled");
            case FAILED -> Optional.of(job.lastError() != null && job.lastError().contains(DeadLetters.MARK) ? "dead-lettered" : "failed");
            case QUEUED, RUNNING, SUCCEEDED -> Optional.empty();
        };
    }

    /** The manifest's job lines as CSV, a header row first (the batch line is left out: it has other columns). */
    public static void toCsv(BufferedReader jsonLines, PrintStream out) {
        out.println(String.join(",", CSV_COLUMNS));
        try {
            for (String text = jsonLines.readLine(); text != null; text = jsonLines.readLine()) {
                JsonNode line = Json.MAPPER.readTree(text);
                if (!"job".equals(line.path("type").asText())) {
                    continue;
                }
                List<String> outputs = new ArrayList<>();
                long bytes = 0;
                for (JsonNode output : line.path("outputs")) {
                    outputs.add(output.path("uri").asText());
                    bytes += output.path("bytes").asLong(0);
                }
                JsonNode error = line.path("error");
                out.println(String.join(",", csv(line.path("job")), csv(line.path("input")), csv(line.path("inputVersion")),
                        csv(line.path("state")), csv(line.path("attempts")), quote(String.join(" ", outputs)), Long.toString(bytes),
                        csv(line.path("replaced")), csv(error.path("kind")), csv(error.path("reason")), csv(line.path("durationSeconds"))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable manifest: " + e.getMessage(), e);
        }
    }

    private static String csv(JsonNode value) {
        return value.isMissingNode() || value.isNull() ? "" : quote(value.asText());
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    private static String quote(String field) {
        boolean plain = field.chars().noneMatch(c -> c == ',' || c == '"' || c == '\n' || c == '\r');
        return plain ? field : '"' + field.replace("\"", "\"\"") + '"';
    }
}
