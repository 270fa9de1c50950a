package pixq.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.job.BatchCounts;
import pixq.job.JobState;

@Command(
        name = "watch",
        header = "Follow a batch until every job has finished (progress bar, ETA).",
        description = {"Shows a batch's progress, here or on AWS (counts per state, progress bar, ETA), until every job has finished.",
            "Exits 0 when all succeeded, 2 when some failed; here, 1 at once when no run is working its queued jobs, naming the command that resumes them."},
        footer = {"", "Examples:", "  pixq watch b-20240501-100000-1a2b --stack pixq", "  pixq watch s3-20240501 --stack pixq --once",
            "", "Then: pixq failures BATCH --stack pixq, and pixq redrive --stack pixq"})
final class WatchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "BATCH", description = "The batch id `pixq submit` or the submit function printed.")
    String batch;

    @Option(names = "--interval", defaultValue = "5", description = "Seconds between looks (default: ${DEFAULT-VALUE}).")
    int interval;

    @Option(names = "--once", description = "Look once and exit (as `pixq status BATCH`).")
    boolean once;

    @Mixin
    TargetOptions target;

    @Override
    public Integer call() throws InterruptedException {
        try (Target open = target.open()) {
            while (true) {
                BatchCounts counts = open.store().counts(batch);
                if (counts.total() == 0) {
                    System.out.println("no jobs in batch " + batch);
                    return 1;
                }
                boolean waiting = StatusCommand.printLine(open.unworked(), counts, target.flags());
                if (once || counts.finished() == counts.total()) {
                    StatusCommand.printReplaced(counts);
                    return counts.of(JobState.FAILED) == 0 ? 0 : 2;
                }
                if (waiting) { // here, with no run to work it, it would never finish: said above, with what resumes it
                    return 1;
                }
                Thread.sleep(Duration.ofSeconds(interval).toMillis());
            }
        }
    }
}
