package pixq.cli;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import pixq.job.Job;
import pixq.job.JobState;

@Command(
        name = "cancel",
        header = "Cancel the unfinished jobs of a batch.",
        description = {"Cancels a batch's jobs that have not finished. Their messages stay on the queue; workers skip",
            "canceled jobs. A job running now finishes its image; it stays canceled, with the outputs it wrote recorded."},
        footer = {"", "Examples:", "  pixq cancel b-20240501-100000-1a2b --stack pixq", "", "Undo: pixq retry BATCH --canceled"})
final class CancelCommand implements Callable<Integer> {
    @Parameters(paramLabel = "BATCH", description = "The batch to cancel.")
    String batch;

    @Mixin
    TargetOptions target;

    @Override
    public Integer call() {
        try (Target open = target.open()) {
            if (open.store().list(batch, null, 1).isEmpty()) {
                throw new IllegalArgumentException("no batch " + batch + ": `pixq status` lists the batches");
            }
            List<Job> unfinished = new ArrayList<>(open.store().list(batch, JobState.QUEUED, Integer.MAX_VALUE));
            unfinished.addAll(open.store().list(batch, JobState.RUNNING, Integer.MAX_VALUE));
            Clock clock = Clock.systemUTC();
            // A lost conditional write means the job moved on meanwhile (finished, say): it is not canceled.
            long canceled = unfinished.stream().filter(job -> open.store().update(job, job.cancel(clock))).count();
            System.out.printf("canceled %d of %d unfinished jobs in batch %s%n", canceled, unfinished.size(), batch);
            if (canceled > 0) { // the batch may be finished now: its manifest and event
                open.completion().jobFinished(batch);
            }
            return 0;
        }
    }
}
