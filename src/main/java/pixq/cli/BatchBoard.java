package pixq.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.job.JobStore;

/**
 * What the web pages show of every batch: its progress and a chart of jobs finished over time. One read
 * of the job records serves every page and every browser for a while (at least {@link #FRESH}, longer
 * when the read was slow), so refreshing pages does not read the store each time.
 */
final class BatchBoard {
    static final Duration FRESH = Duration.ofSeconds(2);
    static final int BUCKETS = 40;

    /** Jobs finished per time slice, from the batch's first start: what the batch page draws. */
    record Chart(Instant from, long sliceMillis, int[] succeeded, int[] failed) {}

    record Entry(BatchProgress progress, Chart chart) {}

    private record Snapshot(Map<String, Entry> batches, Instant takenAt, Duration cost) {}

    private final JobStore store;
    private final Clock clock;
    private Snapshot snapshot;

    BatchBoard(JobStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Every batch, the most recently created first. */
    synchronized Map<String, Entry> batches() {
        Instant now = clock.instant();
        if (snapshot == null || now.isAfter(snapshot.takenAt().plus(max(FRESH, snapshot.cost().multipliedBy(10))))) {
            snapshot = read(now);
        }
        return snapshot.batches();
    }

    /** Forgets the last read, so that the next page shows what a retry just changed. */
    synchronized void invalidate() {
        snapshot = null;
    }

    private Snapshot read(Instant now) {
        Map<String, List<Job>> byBatch = new LinkedHashMap<>();
        for (Job job : store.list(null, null, Integer.MAX_VALUE)) {
            byBatch.computeIfAbsent(job.spec().batchId(), b -> new ArrayList<>()).add(job);
        }
        List<String> newestFirst = new ArrayList<>(byBatch.keySet());
        Collections.reverse(newestFirst);
        Map<String, Entry> batches = new LinkedHashMap<>();
        for (String id : newestFirst) {
            List<Job> jobs = byBatch.get(id);
            BatchProgress progress = BatchProgress.of(id, jobs);
            batches.put(id, new Entry(progress, chart(progress, jobs)));
        }
        return new Snapshot(Collections.unmodifiableMap(batches), clock.instant(), Duration.between(now, clock.instant()));
    }

    private static Chart chart(BatchProgress progress, List<Job> jobs) {
        int[] succeeded = new int[BUCKETS];
        int[] failed = new int[BUCKETS];
        if (progress.start() == null || progress.end() == null) {
            return new Chart(progress.start(), 0, succeeded, failed);
        }
        long span = Math.max(1, Duration.between(progress.start(), progress.end()).toMillis());
        long slice = Math.max(1, (span + BUCKETS - 1) / BUCKETS);
        for (Job job : jobs) {
            if (job.finishedAt() == null || (job.state() != JobState.SUCCEEDED && job.state() != JobState.FAILED)) {
                continue;
            }
            int i = (int) Math.min(BUCKETS - 1, Math.max(0, Duration.between(progress.start(), job.finishedAt()).toMillis() / slice));
            (job.state() == JobState.SUCCEEDED ? succeeded : failed)[i]++;
        }
        return new Chart(progress.start(), slice, succeeded, failed);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
