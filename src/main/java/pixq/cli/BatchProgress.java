package pixq.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import pixq.job.BatchCounts;
import pixq.job.Job;
import pixq.job.JobState;

/**
 * A batch's counts per state, a progress bar, and an ETA from the rate its jobs have been finishing at.
 *
 * @param start when its first job started (null before any did)
 * @param end   when its last job finished so far (null before any did)
 */
record BatchProgress(String batchId, Map<JobState, Integer> counts, int total, int finished, Instant start, Instant end, Duration eta) {
    static BatchProgress of(String batchId, List<Job> jobs) {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        jobs.forEach(j -> counts.merge(j.state(), 1L, Long::sum));
        Instant first = jobs.stream().map(Job::startedAt).filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
        Instant last = jobs.stream().map(Job::finishedAt).filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
        return of(new BatchCounts(batchId, counts, first, last));
    }

    /** From the counts the store keeps: the same at any batch size. */
    static BatchProgress of(BatchCounts batch) {
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        batch.byState().forEach((state, n) -> counts.put(state, n.intValue()));
        int total = (int) batch.total();
        int finished = (int) batch.finished();
        Instant first = batch.firstStarted();
        Instant last = batch.lastFinished();
        Duration eta = null;
        if (first != null && last != null && last.isAfter(first) && finished > 0 && finished < total) {
            double perJob = Duration.between(first, last).toMillis() / (double) finished;
            eta = Duration.ofMillis((long) (perJob * (total - finished)));
        }
        return new BatchProgress(batch.batchId(), counts, total, finished, first, last, eta);
    }

    /** Jobs finished per second between the first start and the last finish; 0 before that can be told. */
    double rate() {
        long millis = start == null || end == null ? 0 : Duration.between(start, end).toMillis();
        return millis <= 0 ? 0 : finished * 1000.0 / millis;
    }

    boolean done() {
        return finished == total;
    }

    String line() {
        StringBuilder s = new StringBuilder(batchId + " " + ProgressBar.bar(finished, 0, total));
        for (JobState state : JobState.values()) {
            s.append(String.format("  %s %d", state.name().toLowerCase(), counts.getOrDefault(state, 0)));
        }
        if (eta != null) {
            s.append(String.format("  ETA %d:%02d", eta.toMinutes(), eta.toSecondsPart()));
        }
        return s.toString();
    }
}
