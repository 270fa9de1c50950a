package pixq.aws;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A job's status record as a DynamoDB item and back: the one place that knows the attributes' names and types. */
final class JobItems {
    private JobItems() {}

    /** @param retention how long a finished job's item is kept (its {@code expiresAt}, DynamoDB's TTL) */
    static Map<String, AttributeValue> toItem(Job job, Duration retention) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", s(job.id()));
        item.put("batchId", s(job.spec().batchId()));
        item.put("spec", s(job.spec().toJson()));
        item.put("state", s(job.state().name()));
        item.put("attempts", n(job.attempts()));
        item.put("createdMs", n(job.createdAt().toEpochMilli()));
        item.put("createdAt", s(job.createdAt().toString()));
        item.put("outputs", AttributeValue.fromL(job.outputs().stream().map(JobItems::s).toList()));
        if (job.lastError() != null) {
            item.put("lastError", s(job.lastError()));
        }
        if (job.startedAt() != null) {
            item.put("startedAt", s(job.startedAt().toString()));
        }
        if (job.leaseUntil() != null) {
            item.put("leaseUntilMs", n(job.leaseUntil().toEpochMilli()));
        }
        if (job.sentAt() != null) {
            item.put("sentAt", s(job.sentAt().toString()));
        }
        if (job.replaced() > 0) {
            item.put("replaced", n(job.replaced()));
        }
        if (job.finishedAt() != null) {
            item.put("finishedAt", s(job.finishedAt().toString()));
            if (job.state().isFinished()) {
                item.put("expiresAt", n(job.finishedAt().plus(retention).getEpochSecond()));
            }
        }
        return item;
    }

    static Job fromItem(Map<String, AttributeValue> item) {
        return new Job(
                JobSpec.fromJson(item.get("spec").s()),
                JobState.valueOf(item.get("state").s()),
                Integer.parseInt(item.get("attempts").n()),
                text(item, "lastError"),
                instant(item, "createdAt"),
                instant(item, "startedAt"),
                instant(item, "finishedAt"),
                item.containsKey("outputs") ? item.get("outputs").l().stream().map(AttributeValue::s).toList() : List.of(),
                millis(item, "leaseUntilMs"),
                instant(item, "sentAt"),
                item.containsKey("replaced") ? Integer.parseInt(item.get("replaced").n()) : 0);
    }

    static Instant millis(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : Instant.ofEpochMilli(Long.parseLong(v.n()));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        String v = text(item, name);
        return v == null ? null : Instant.parse(v);
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }
}
