package pixq.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import pixq.job.BatchCounts;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.job.BatchProgress;

/**
 * What the web pages show of the batches, from the counts the store keeps: a refresh never reads a batch's
 * records. The list of every batch is read at most every {@link #FRESH}, or ten times as long as its last
 * read took (on DynamoDB a Query of the batch registry, then each batch's counters). A batch's chart of
 * jobs finished over time reads its records once, when the batch is first shown, and then grows from the
 * batch's counts at each refresh. Its failed records are read again only when its count of failed jobs
 * changed.
 */
final class BatchBoard {
    static final Duration FRESH = Duration.ofSeconds(2);
    static final int BUCKETS = 40;
    /** Failed jobs read for one batch at most (the page says there are more). */
    static final int MAX_FAILURES = 10_000;
    private static final int FAILURES_PAGE = 1_000;

    /** Jobs finished per time slice, from the batch's first start: what the batch page draws. */
    record Chart(long sliceMillis, int[] succeeded, int[] failed) {}

    /** A batch's failed jobs (at most {@link #MAX_FAILURES} and one more), as of its count of failed jobs. */
    private record Failed(long count, List<Job> jobs) {}

    private final JobStore store;
    private final Clock clock;
    private List<BatchProgress> batches;
    private Instant listedAt;
    private Duration listCost = Duration.ZERO;
    private final Map<String, Timeline> timelines = new ConcurrentHashMap<>();
    private final Map<String, Failed> failed = new ConcurrentHashMap<>();

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

    /** The batch's chart: its records are read the first time only, then its counts (read after them). */
    Chart chart(String batchId) {
        Timeline timeline = timelines.computeIfAbsent(batchId, id -> Timeline.of(store.list(id, null, Integer.MAX_VALUE)));
        return timeline.follow(store.counts(batchId), clock.instant());
    }

    /**
     * The batch's failed jobs, oldest first, read a page at a time only when its count of failed jobs is not
     * the one of the last read (a retry that requeued some tells {@link #retried}).
     */
    List<Job> failed(BatchCounts now) {
        long count = now.of(JobState.FAILED);
        Failed last = failed.get(now.batchId());
        if (last == null || last.count() != count) {
            last = new Failed(count, readFailed(now.batchId()));
            failed.put(now.batchId(), last);
        }
        return last.jobs();
    }

    /** Jobs of these batches were requeued: their failed jobs are read again, even if as many fail again. */
    void retried(List<String> batchIds) {
        batchIds.forEach(failed::remove);
    }

    private List<Job> readFailed(String batchId) {
        List<Job> jobs = new ArrayList<>();
        List<Job> page;
        do {
            page = store.listAfter(batchId, JobState.FAILED, jobs.isEmpty() ? null : jobs.get(jobs.size() - 1).id(), FAILURES_PAGE);
            jobs.addAll(page);
        } while (page.size() == FAILURES_PAGE && jobs.size() <= MAX_FAILURES);
        return List.copyOf(jobs.subList(0, Math.min(jobs.size(), MAX_FAILURES + 1)));
    }

    /**
     * Jobs finished over time: from the records when first read, then from each change of the counts,
     * spread evenly between the last finish seen and the latest (so a page opened after a long pause shows
     * the average rate of that pause, not one spike). A retried failure stays a failure at the time it failed.
     */
    private static final class Timeline {
        private final TreeMap<Long, int[]> finishes = new TreeMap<>(); // finish millis -> {succeeded, failed}
        private long succeeded;
        private long failed;
        private Long lastFinish;
        private Chart drawn;

        static Timeline of(List<Job> jobs) {
            Timeline timeline = new Timeline();
            for (Job job : jobs) {
                boolean ok = job.state() == JobState.SUCCEEDED;
                if (job.finishedAt() != null && (ok || job.state() == JobState.FAILED)) {
                    timeline.add(job.finishedAt().toEpochMilli(), ok ? 1 : 0, ok ? 0 : 1);
                    timeline.succeeded += ok ? 1 : 0;
                    timeline.failed += ok ? 0 : 1;
                }
            }
            timeline.lastFinish = timeline.finishes.isEmpty() ? null : timeline.finishes.lastKey();
            return timeline;
        }

        synchronized Chart follow(BatchCounts now, Instant at) {
            long newlySucceeded = Math.max(0, now.of(JobState.SUCCEEDED) - succeeded);
            long newlyFailed = Math.max(0, now.of(JobState.FAILED) - failed);
            succeeded = now.of(JobState.SUCCEEDED);
            failed = now.of(JobState.FAILED);
            if (newlySucceeded + newlyFailed > 0) {
                long to = (now.lastFinished() != null ? now.lastFinished() : at).toEpochMilli();
                long from = Math.min(to, lastFinish != null ? lastFinish : now.firstStarted() != null ? now.firstStarted().toEpochMilli() : to);
                int points = (int) Math.min(BUCKETS, Math.max(newlySucceeded, newlyFailed));
                for (int k = 0; k < points; k++) {
                    add(from + (to - from) * (k + 1) / points, share(newlySucceeded, k, points), share(newlyFailed, k, points));
                }
                lastFinish = to;
                drawn = null;
            }
            if (drawn == null) {
                drawn = draw(now.firstStarted());
            }
            return drawn;
        }

        private void add(long millis, int succeeded, int failed) {
            int[] both = finishes.computeIfAbsent(millis, m -> new int[2]);
            both[0] += succeeded;
            both[1] += failed;
        }

        /** The k-th of {@code points} near-equal parts of n. */
        private static int share(long n, int k, int points) {
            return (int) (n * (k + 1) / points - n * k / points);
        }

        private Chart draw(Instant firstStarted) {
            int[] succeeded = new int[BUCKETS];
            int[] failed = new int[BUCKETS];
            if (finishes.isEmpty()) {
                return new Chart(0, succeeded, failed);
            }
            long start = Math.min(finishes.firstKey(), firstStarted == null ? Long.MAX_VALUE : firstStarted.toEpochMilli());
            long span = Math.max(1, finishes.lastKey() - start);
            long slice = Math.max(1, (span + BUCKETS - 1) / BUCKETS);
            finishes.forEach((millis, both) -> {
                int i = (int) Math.min(BUCKETS - 1, (millis - start) / slice);
                succeeded[i] += both[0];
                failed[i] += both[1];
            });
            return new Chart(slice, succeeded, failed);
        }
    }

    private static Duration longest(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
