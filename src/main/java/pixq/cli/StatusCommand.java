package pixq.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import pixq.job.Job;

@Command(
        name = "status",
        description = "Jobs per state, per batch (like `rq info`), with a progress bar and ETA for each batch, here or on AWS.",
        footer = {"", "Examples:", "  pixq status", "  pixq status run-1a2b3c4d5e", "  pixq status s3-20261127 --stack pixq", "", "To follow a batch until it is done: pixq watch BATCH"})
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
            Map<String, List<Job>> byBatch = new LinkedHashMap<>();
            jobs.forEach(job -> byBatch.computeIfAbsent(job.spec().batchId(), b -> new ArrayList<>()).add(job));
            byBatch.forEach((id, batchJobs) -> System.out.println(BatchProgress.of(id, batchJobs).line()));
            return 0;
        }
    }
}
