package pixq.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.job.Job;
import pixq.job.JobState;

@Command(
        name = "status",
        header = "Jobs per state and progress, per batch or for one job (like rq info).",
        description = "Jobs per state, per batch (like `rq info`), with a progress bar and ETA for each batch, here or on AWS.",
        footer = {"", "Examples:", "  pixq status", "  pixq status run-1a2b3c4d5e", "  pixq status s3-20261127 --stack pixq", "  pixq status --job 3f2a9c0d1e2b4a5c6d7e8f90     one job (like rq's job.get_status())", "", "To follow a batch until it is done: pixq watch BATCH"})
final class StatusCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "BATCH", description = "Only this batch.")
    String batch;

    @Option(names = "--job", paramLabel = "ID", description = "One job's whole record: state, attempts, times, error, outputs.")
    String jobId;

    @Mixin
    TargetOptions target;

    @Override
    public Integer call() throws Exception {
        try (Target open = target.open()) {
            if (jobId != null) {
                return open.store().find(jobId).map(StatusCommand::show).orElseGet(() -> {
                    System.out.println("no job " + jobId);
                    return 1;
                });
            }
            List<Job> jobs = open.store().list(batch, null, Integer.MAX_VALUE);
            if (jobs.isEmpty()) {
                System.out.println(batch == null ? "no jobs yet" : "no jobs in batch " + batch);
                return batch == null ? 0 : 1;
            }
            Map<String, List<Job>> byBatch = new LinkedHashMap<>();
            jobs.forEach(job -> byBatch.computeIfAbsent(job.spec().batchId(), b -> new ArrayList<>()).add(job));
            byBatch.forEach((id, batchJobs) -> System.out.println(BatchProgress.of(id, batchJobs).line()));
            return 0;
        }
    }

    private static int show(Job job) {
        System.out.printf("job       %s%nbatch     %s%nstate     %s%nattempts  %d%ninput     %s%nrecipe    %s%nargs      %s%n"
                        + "created   %s%nstarted   %s%nfinished  %s%nerror     %s%n",
                job.id(), job.spec().batchId(), job.state(), job.attempts(),
                job.spec().input() == null ? "- (args only)" : job.spec().input(), job.spec().recipe().name(),
                job.spec().args(), job.createdAt(), job.startedAt(), job.finishedAt(), job.lastError());
        job.outputs().forEach(output -> System.out.println("output    " + output));
        if (job.state() == JobState.SUCCEEDED && job.outputs().isEmpty()) {
            System.out.println("output    none (its command wrote nothing, as its recipe allows)");
        }
        return 0;
    }
}
