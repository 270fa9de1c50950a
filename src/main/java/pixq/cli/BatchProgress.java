package pixq.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import pixq.job.Job;
import pixq.job.JobState;

/** A batch's counts per state, a progress bar, and an ETA from the rate its jobs have been finishing at. */
record BatchProgress(String batchId, Map<JobState, Integer> counts, int total, int finished, Duration eta) {
    static BatchProgress of(String batchId, List<Job> jobs) {
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        jobs.forEach(j -> counts.merge(j.state(), 1, Integer::sum));
        int finished = (int) jobs.stream().filter(j -> j.state().isFinished()).count();
        Instant first = jobs.stream().map(Job::startedAt).filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
        Instant last = jobs.stream().map(Job::finishedAt).filter(Objects::nonNull).max(Instant::compareTo).orElse(null);
        Duration eta = null;
        if (first != null && last != null && last.isAfter(first) && finished > 0 && finished < jobs.size()) {
            double perJob = Duration.between(first, last).toMillis() / (double) finished;
            eta = Duration.ofMillis((long) (perJob * (jobs.size() - finished)));
        }
        return new BatchProgress(batchId, counts, jobs.size(), finished, eta);
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
