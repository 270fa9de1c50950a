package pixq.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import pixq.job.BatchCounts;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.job.JobStore;

/**
 * What the web pages show of the batches. A batch's progress comes from the counts the store keeps (one
 * small read, whatever the batch's size). Two things still need the records, and are read seldom: which
 * batches exist (the port has no list of batches yet), at most every {@link #LIST_EVERY}; and a batch's
 * chart of jobs finished over time, only when its counts moved and at most every {@link #CHART_EVERY}
 * (never again once the batch is finished and unchanged).
 */
final class BatchBoard {
    static final Duration LIST_EVERY = Duration.ofSeconds(30);
    static final Duration CHART_EVERY = Duration.ofSeconds(5);
    static final int BUCKETS = 40;

    /** Jobs finished per time slice, from the batch's first start: what the batch page draws. */
    record Chart(long sliceMillis, int[] succeeded, int[] failed) {}

    private record Drawn(Chart chart, BatchCounts counts, Instant at, Duration cost) {}

    private final JobStore store;
    private final Clock clock;
    private List<String> ids;
    private Instant listedAt;
    private Duration listCost = Duration.ZERO;
    private final Map<String, Drawn> charts = new ConcurrentHashMap<>();

    BatchBoard(JobStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Every batch's progress, the most recently created first. */
    List<BatchProgress> batches() {
        return ids().stream().map(this::progress).toList();
    }

    /** A batch's progress; null when it has no jobs. */
    BatchProgress progress(String batchId) {
        BatchProgress progress = BatchProgress.of(store.counts(batchId));
        return progress.total() == 0 ? null : progress;
    }

    Chart chart(String batchId) {
        BatchCounts now = store.counts(batchId);
        Drawn last = charts.get(batchId);
        Instant at = clock.instant();
        boolean stale = last == null || (!last.counts().equals(now)
                && at.isAfter(last.at().plus(longest(CHART_EVERY, last.cost().multipliedBy(10)))));
        if (stale) {
            List<Job> jobs = store.list(batchId, null, Integer.MAX_VALUE);
            last = new Drawn(chart(BatchProgress.of(batchId, jobs), jobs), now, at, Duration.between(at, clock.instant()));
            charts.put(batchId, last);
        }
        return last.chart();
    }

    private synchronized List<String> ids() {
        Instant now = clock.instant();
        if (ids == null || now.isAfter(listedAt.plus(longest(LIST_EVERY, listCost.multipliedBy(10))))) {
            Set<String> oldestFirst = new LinkedHashSet<>();
            store.list(null, null, Integer.MAX_VALUE).forEach(job -> oldestFirst.add(job.spec().batchId()));
            List<String> newestFirst = new ArrayList<>(oldestFirst);
            Collections.reverse(newestFirst);
            ids = List.copyOf(newestFirst);
            listedAt = now;
            listCost = Duration.between(now, clock.instant());
        }
        return ids;
    }

    private static Chart chart(BatchProgress progress, List<Job> jobs) {
        int[] succeeded = new int[BUCKETS];
        int[] failed = new int[BUCKETS];
        if (progress.start() == null || progress.end() == null) {
            return new Chart(0, succeeded, failed);
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
        return new Chart(slice, succeeded, failed);
    }

    private static Duration longest(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
