package pixq.job;

import java.time.Duration;

/**
 * A batch's counts per state as a line: a progress bar, the counts, and an ETA from the rate its jobs have
 * been finishing at (between the first start and the last finish). Built from the store's counts, so a
 * line costs the same for ten jobs or a million.
 */
public record BatchProgress(BatchCounts counts, Duration eta) {
    public static BatchProgress of(BatchCounts counts) {
        long finished = counts.finished();
        Duration eta = null;
        if (counts.firstStarted() != null && counts.lastFinished() != null && counts.lastFinished().isAfter(counts.firstStarted())
                && finished > 0 && finished < counts.total()) {
            double perJob = Duration.between(counts.firstStarted(), counts.lastFinished()).toMillis() / (double) finished;
            eta = Duration.ofMillis((long) (perJob * (counts.total() - finished)));
        }
        return new BatchProgress(counts, eta);
    }

    /** Jobs finished per second between the first start and the last finish; 0 before that can be told. */
    public double rate() {
        long millis = counts.firstStarted() == null || counts.lastFinished() == null ? 0
                : Duration.between(counts.firstStarted(), counts.lastFinished()).toMillis();
        return millis <= 0 ? 0 : counts.finished() * 1000.0 / millis;
    }

    public boolean done() {
        return counts.finished() == counts.total();
    }
}
