package pixq.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;

@Command(
        name = "retry",
        description = {"Requeues failed (and canceled) jobs, like rq's requeue: their attempts start again from zero."},
        footer = {
            "",
            "Examples:",
            "  pixq retry                    every failed job",
            "  pixq retry run-1a2b3c4d5e     the failed jobs of one batch",
            "  pixq retry --job 3f2a9c...    one job",
            "",
            "Locally, the same `pixq run` command (or `pixq worker`) then processes them."
        })
final class RetryCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "BATCH", description = "Only this batch.")
    String batch;

    @Option(names = "--job", paramLabel = "ID", description = "Only these jobs (repeatable).")
    List<String> jobIds = List.of();

    @Option(names = "--canceled", description = "Requeue canceled jobs too.")
    boolean canceled;

    @Mixin
    TargetOptions target;

    @Override
    public Integer call() throws Exception {
        try (Target open = target.open()) {
            List<Job> candidates = new ArrayList<>(open.store().list(batch, JobState.FAILED, Integer.MAX_VALUE));
            if (canceled) {
                candidates.addAll(open.store().list(batch, JobState.CANCELED, Integer.MAX_VALUE));
            }
            List<JobSpec> requeued = new ArrayList<>();
            for (Job job : candidates) {
                if ((jobIds.isEmpty() || jobIds.contains(job.id())) && open.store().update(job, job.requeue())) {
                    requeued.add(job.spec());
                }
            }
            open.queue().send(requeued);
            System.out.println("requeued " + requeued.size() + " jobs");
            return 0;
        }
    }
}
