package pixq.job;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * How many jobs of one batch are in each state, kept by the store as jobs move (never counted by reading
 * the jobs), with when the batch's first job started and its last one finished (for an ETA; null until then),
 * and how many outputs its successes wrote over blobs of their names ({@link Job#replaced}).
 */
public record BatchCounts(String batchId, Map<JobState, Long> byState, Instant firstStarted, Instant lastFinished, long replaced) {
    public BatchCounts {
        Map<JobState, Long> all = new EnumMap<>(JobState.class);
        for (JobState state : JobState.values()) {
            all.put(state, byState.getOrDefault(state, 0L));
        }
        byState = Collections.unmodifiableMap(all);
    }

    public long of(JobState state) {
        return byState.get(state);
    }

    public long total() {
        return byState.values().stream().mapToLong(Long::longValue).sum();
    }

    public long finished() {
        return byState.entrySet().stream().filter(e -> e.getKey().isFinished()).mapToLong(Map.Entry::getValue).sum();
    }
}
