package pixq.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import pixq.job.BatchCounts;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.job.JobStore;

/**
 * What the web pages show of the batches, from the counts the store keeps: a refresh never reads a batch's
 * records. The list of every batch is read at most every {@link #FRESH}, or ten times as long as its last
 * read took (on DynamoDB a Query of the batch registry, then each batch's counters). A batch's chart of
 * jobs finished over time does need its records: it is redrawn only when the batch's counts moved, at most
 * every {@link #CHART_EVERY}, and never again once the batch is finished and unchanged.
 */
final class BatchBoard {
    static final Duration FRESH = Duration.ofSeconds(2);
    static final Duration CHART_EVERY = Duration.ofSeconds(5);
    static final int BUCKETS = 40;

    /** Jobs finished per time slice, from the batch's first start: what the batch page draws. */
    record Chart(long sliceMillis, int[] succeeded, int[] failed) {}

    private record Drawn(Chart chart, BatchCounts counts, Instant at, Duration cost) {}

    private final JobStore store;
    private final Clock clock;
    private List<BatchProgress> batches;
    private Instant listedAt;
    private Duration listCost = Duration.ZERO;
    private final Map<String, Drawn> charts = new ConcurrentHashMap<>();

    BatchBoard(JobStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Every batch's progress, the most recently created first. */
    synchronized List<BatchProgress> batches() {
        Instant now = clock.instant();
        if (batches == null || now.isAfter(listedAt.plus(longest(FRESH, listCost.multipliedBy(10))))) {
            List<BatchProgress> newestFirst = new ArrayList<>(store.batches().stream().map(BatchProgress::of).toList());
            Collections.reverse(newestFirst);
            batches = List.copyOf(newestFirst);
            listedAt = now;
            listCost = Duration.between(now, clock.instant());
        }
        return batches;
    }

    /** A batch's progress; null when it has no jobs. */
    BatchProgress progress(String batchId) {
        BatchProgress progress = BatchProgress.of(store.counts(batchId));
        return progress.counts().total() == 0 ? null : progress;
    }

    Chart chart(String batchId) {
        BatchCounts now = store.counts(batchId);
        Drawn last = charts.get(batchId);
        Instant at = clock.instant();
        boolean stale = last == null || (!last.counts().equals(now)
                && at.isAfter(last.at().plus(longest(CHART_EVERY, last.cost().multipliedBy(10)))));
        if (stale) {
            last = new Drawn(chart(store.list(batchId, null, Integer.MAX_VALUE)), now, at, Duration.between(at, clock.instant()));
            charts.put(batchId, last);
        }
        return last.chart();
    }

    private static Chart chart(List<Job> jobs) {
        int[] succeeded = new int[BUCKETS];
        int[] failed = new int[BUCKETS];
        Instant start = jobs.stream().map(Job::startedAt).filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
        Instant end = jobs.stream().map(Job::finishedAt).filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
        if (start == null || end == null) {
            return new Chart(0, succeeded, failed);
        }
        long span = Math.max(1, Duration.between(start, end).toMillis());
        long slice = Math.max(1, (span + BUCKETS - 1) / BUCKETS);
        for (Job job : jobs) {
            if (job.finishedAt() == null || (job.state() != JobState.SUCCEEDED && job.state() != JobState.FAILED)) {
                continue;
            }
            int i = (int) Math.min(BUCKETS - 1, Math.max(0, Duration.between(start, job.finishedAt()).toMillis() / slice));
            (job.state() == JobState.SUCCEEDED ? succeeded : failed)[i]++;
        }
        return new Chart(slice, succeeded, failed);
    }

    private static Duration longest(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
