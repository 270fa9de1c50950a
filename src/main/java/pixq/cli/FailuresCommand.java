package pixq.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.job.Job;
import pixq.job.JobState;

@Command(
        name = "failures",
        header = "The failed-job registry: each failed job and why.",
        description = "The failed-job registry: every FAILED job with its input, attempts and reason.",
        footer = {"", "Examples:", "  pixq failures", "  pixq failures run-1a2b3c4d5e --limit 5", "", "Then: pixq retry"})
final class FailuresCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "BATCH", description = "Only this batch.")
    String batch;

    @Option(names = "--limit", defaultValue = "100", description = "Show at most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Mixin
    TargetOptions target;

    @Override
    public Integer call() throws Exception {
        try (Target open = target.open()) {
            List<Job> all = open.store().list(batch, JobState.FAILED, Integer.MAX_VALUE);
            List<Job> failed = all.subList(0, Math.min(limit, all.size()));
            for (Job job : failed) {
                String input = job.spec().input() == null ? "args " + job.spec().args() : job.spec().input();
                System.out.printf("%s  %s  attempts %d  %s%n    %s%n",
                        job.id(), job.spec().batchId(), job.attempts(), input, job.lastError());
            }
            System.out.println(all.isEmpty() ? "no failed jobs"
                    : failed.size() < all.size() ? "showing " + failed.size() + " of " + all.size() + " failed jobs (--limit N for more)"
                    : all.size() + " failed jobs");
            return 0;
        }
    }
}
