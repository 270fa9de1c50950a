package pixq.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.job.Job;
import pixq.job.JobQueue;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.job.Requeue;
import pixq.recipe.BlobUri;

@Command(
        name = "retry",
        header = "Requeue failed jobs (like rq requeue); here, process them at once.",
        description = {
            "Requeues failed (and, with --canceled, canceled) jobs, like rq's requeue: their attempts start again.",
            "Locally it then processes them, with the jobs a stopped run left queued, with a progress bar;",
            "on AWS the worker function picks them up."
        },
        footer = {
            "",
            "Examples:",
            "  pixq retry                    every failed job",
            "  pixq retry run-1a2b3c4d5e     the failed jobs of one batch",
            "  pixq retry --job 3f2a9c...    one job"
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

    @Mixin
    WorkOptions work;

    @Override
    public Integer call() throws Exception {
        if (target.isLocal()) {
            try (LocalWork local = LocalWork.open(target.stateDir(), work, Clock.systemUTC())) {
                // Jobs a stopped run or retry left QUEUED (their messages handed back) are not FAILED any more:
                // taken too, so that running a stopped retry again resumes it.
                List<Job> left = chosen(local.state().jobs(), JobState.QUEUED);
                if (!left.isEmpty()) {
                    System.err.println(left.size() + " jobs a stopped run left queued are resumed too");
                }
                sendUnsent(local.state().jobs(), local.state().queue(), left);
                List<JobSpec> requeued = requeue(local.state().jobs(), local.state().queue());
                List<JobSpec> here = notServed(Stream.concat(left.stream().map(Job::spec), requeued.stream()).toList(), target.stateDir());
                return here.isEmpty() ? 0 : local.until(here);
            }
        }
        try (Target open = target.open()) {
            sendUnsent(open.store(), open.queue(), chosen(open.store(), JobState.QUEUED));
            requeue(open.store(), open.queue());
            return 0;
        }
    }

    /** Sends the queued jobs a submission or retry stopped before sending left with no message, saying so. */
    private static void sendUnsent(JobStore store, JobQueue queue, List<Job> queued) {
        int sent = Requeue.unsent(store, queue, queued, Clock.systemUTC()).size();
        if (sent > 0) {
            System.err.println("sent " + sent + " queued jobs the message a stopped submission or retry never sent");
        }
    }

    /**
     * The requeued jobs this command runs here. Jobs on s3:// names are pixq serve's (its embedded buckets): its
     * worker function runs them from the queue, which is said.
     */
    static List<JobSpec> notServed(List<JobSpec> requeued, Path stateDir) {
        List<JobSpec> served = requeued.stream().filter(RetryCommand::servedBlobs).toList();
        if (!served.isEmpty()) {
            System.err.println(served.size() + " of them are pixq serve's (s3:// inputs): its worker function runs them"
                    + " from the queue; start `pixq serve --state " + stateDir + "` if it is not running");
        }
        return requeued.stream().filter(spec -> !servedBlobs(spec)).toList();
    }

    private static boolean servedBlobs(JobSpec spec) {
        return BlobUri.parse(spec.output()) instanceof BlobUri.S3;
    }

    private List<JobSpec> requeue(JobStore store, JobQueue queue) {
        List<Job> candidates = new ArrayList<>(chosen(store, JobState.FAILED));
        if (canceled) {
            candidates.addAll(chosen(store, JobState.CANCELED));
        }
        List<JobSpec> requeued = Requeue.jobs(store, queue, candidates, Clock.systemUTC());
        System.err.println("requeued " + requeued.size() + " jobs");
        return requeued;
    }

    /** The jobs in this state of the batch (or all batches), only those of --job when given. */
    private List<Job> chosen(JobStore store, JobState state) {
        return store.list(batch, state, Integer.MAX_VALUE).stream().filter(job -> jobIds.isEmpty() || jobIds.contains(job.id())).toList();
    }
}
