package pixq.cli;

import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import pixq.job.Job;
import pixq.job.JobState;

@Command(
        name = "status",
        description = "Jobs per state, per batch (like `rq info`), with a progress bar for each batch.",
        footer = {"", "Examples:", "  pixq status", "  pixq status run-1a2b3c4d5e"})
final class StatusCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "BATCH", description = "Only this batch.")
    String batch;

    @Mixin
    TargetOptions target;

    @Override
    public Integer call() throws Exception {
        try (Target open = target.open()) {
            List<Job> jobs = open.store().list(batch, null, Integer.MAX_VALUE);
            if (jobs.isEmpty()) {
                System.out.println(batch == null ? "no jobs yet" : "no jobs in batch " + batch);
                return batch == null ? 0 : 1;
            }
            Map<String, Map<JobState, Integer>> byBatch = new LinkedHashMap<>();
            for (Job job : jobs) {
                byBatch.computeIfAbsent(job.spec().batchId(), b -> new EnumMap<>(JobState.class))
                        .merge(job.state(), 1, Integer::sum);
            }
            byBatch.forEach((id, counts) -> System.out.println(line(id, counts)));
            return 0;
        }
    }

    static String line(String batchId, Map<JobState, Integer> counts) {
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        int finished = counts.entrySet().stream().filter(e -> e.getKey().isFinished()).mapToInt(Map.Entry::getValue).sum();
        StringBuilder line = new StringBuilder(String.format("%-16s %6d jobs ", batchId, total));
        for (JobState state : JobState.values()) {
            line.append(String.format(" %s %d", state, counts.getOrDefault(state, 0)));
        }
        ProgressBar bar = new ProgressBar(System.out, Clock.systemUTC(), total, false);
        return line.append("  ").append(bar.line(finished, counts.getOrDefault(JobState.FAILED, 0)).replaceAll(" +[0-9.]+ images/s.*", ""))
                .toString();
    }
}
