package pixq.aws;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pixq.worker.ItemResult;
import pixq.worker.Outcome;

/** What a worker says about a batch: a JSON log line per job, and one EMF metrics record per batch. */
final class WorkerReport {
    private static final Map<String, String> UNITS = Map.of(
            "Jobs", "Count", "Succeeded", "Count", "Failures", "Count", "Retries", "Count", "Skipped", "Count",
            "Duration", "Milliseconds", "BytesIn", "Bytes", "BytesOut", "Bytes", "Replaced", "Count");

    private WorkerReport() {}

    static void log(JsonLog log, ItemResult r) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", r.jobId());
        fields.put("messageId", r.messageId());
        fields.put("outcome", r.outcome().name());
        fields.put("detail", r.detail());
        fields.put("durationMs", r.millis());
        fields.put("bytesIn", r.bytesIn());
        fields.put("bytesOut", r.bytesOut());
        fields.put("replaced", r.replaced()); // outputs that overwrote earlier ones of the same input: never without a word
        switch (r.outcome()) {
            case SUCCEEDED, SKIPPED -> log.info("job " + r.outcome().name().toLowerCase(), fields);
            case FAILED, DEAD_LETTERED -> log.error("job failed", fields);
            default -> log.warn("job handed back", fields);
        }
    }

    static void metrics(JsonLog log, String function, List<ItemResult> results) {
        Map<String, Long> values = new LinkedHashMap<>();
        values.put("Jobs", (long) results.size());
        values.put("Succeeded", count(results, Outcome.SUCCEEDED));
        values.put("Failures", count(results, Outcome.FAILED) + count(results, Outcome.DEAD_LETTERED));
        values.put("Retries", count(results, Outcome.RETRY) + count(results, Outcome.NOT_STARTED)
                + count(results, Outcome.STOPPED));
        values.put("Skipped", count(results, Outcome.SKIPPED));
        values.put("Duration", results.stream().mapToLong(ItemResult::millis).sum());
        values.put("BytesIn", results.stream().mapToLong(ItemResult::bytesIn).sum());
        values.put("BytesOut", results.stream().mapToLong(ItemResult::bytesOut).sum());
        values.put("Replaced", results.stream().mapToLong(ItemResult::replaced).sum());
        log.metrics(Map.of("Function", function == null ? "local" : function), values, UNITS);
    }

    private static long count(List<ItemResult> results, Outcome outcome) {
        return results.stream().filter(r -> r.outcome() == outcome).count();
    }
}
