package pixq.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import pixq.recipe.Json;

/**
 * A batch's completion: its last job finished (succeeded, failed or canceled). A batch finishes again when a
 * retry or redrive runs one of its jobs anew; {@code completion} tells the completions apart (the batch's
 * last finish, in epoch milliseconds: it grows with each completion).
 *
 * @param manifest where the batch's manifest was written (s3://... or a local path)
 * @param started  when its first job started (null when none ever ran: all canceled)
 */
public record BatchFinished(BatchCounts counts, long completion, String manifest, Instant started, Instant finished) {
    public static final String SOURCE = "pixq";
    public static final String DETAIL_TYPE = "Batch Finished";

    public String batchId() {
        return counts.batchId();
    }

    /** From the first start to the last finish; zero when no job ever started. */
    public Duration duration() {
        return started == null || finished == null ? Duration.ZERO : Duration.between(started, finished);
    }

    /** The event's detail, as EventBridge carries it and as pixq serve and run hand it to --on-batch-done. */
    public ObjectNode detail() {
        ObjectNode detail = Json.MAPPER.createObjectNode();
        detail.put("batchId", batchId());
        detail.put("completion", completion);
        ObjectNode byState = detail.putObject("counts");
        counts.byState().forEach((state, n) -> byState.put(state.name().toLowerCase(java.util.Locale.ROOT), n));
        byState.put("total", counts.total());
        detail.put("replaced", counts.replaced());
        detail.put("manifest", manifest);
        detail.put("started", started == null ? null : started.toString());
        detail.put("finished", finished == null ? null : finished.toString());
        detail.put("durationSeconds", duration().toMillis() / 1000.0);
        return detail;
    }

    /** The whole event as EventBridge delivers it to a rule's target (source, detail-type, time, detail). */
    public ObjectNode event(Instant time) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.put("version", "0");
        event.put("source", SOURCE);
        event.put("detail-type", DETAIL_TYPE);
        event.put("time", time.toString());
        event.set("detail", detail());
        return event;
    }
}
