package pixq.cli;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pixq.aws.AwsConnection;
import pixq.aws.SqsJobQueue;
import pixq.local.SqliteJobQueue;
import pixq.job.Delivery;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.JobStore;

@Command(
        name = "redrive",
        header = "Send dead-lettered jobs back to the queue.",
        description = {"Moves dead-lettered job messages back to the job queue and requeues their FAILED records",
            "(attempts start again from zero). On AWS it takes them from the dead-letter archive (where the",
            "dead-letter function puts them once their jobs are FAILED) and the dead-letter queue; unreadable",
            "messages stay where they are;",
            "here, the redriven jobs are processed at once."},
        footer = {"", "Examples:", "  pixq failures BATCH --stack pixq     see why first", "  pixq redrive --stack pixq",
            "  pixq redrive                          the embedded queue's dead letters"})
final class RedriveCommand implements Callable<Integer> {
    @Option(names = "--max", defaultValue = "100000", description = "Move at most this many messages (default: ${DEFAULT-VALUE}).")
    int max;

    @Mixin
    TargetOptions target;

    @Mixin
    WorkOptions work;

    @Override
    public Integer call() throws InterruptedException {
        if (target.isLocal()) {
            return redriveHere();
        }
        AwsOptions aws = target.aws;
        AwsConnection connection = aws.connection();
        SqsJobQueue queue = new SqsJobQueue(connection.sqs(), aws.queueUrl(), Duration.ZERO);
        try (Target target = aws.open()) {
            // The dead-letter function moves what it recorded FAILED to the archive; the rest is still in the DLQ.
            Moved moved = new Moved();
            List<String> from = new ArrayList<>();
            aws.dlqArchiveUrl().ifPresent(from::add);
            from.add(aws.dlqUrl());
            for (String url : from) {
                moveBack(new SqsJobQueue(connection.sqs(), url, Duration.ZERO), queue, target.store(), moved);
            }
            System.err.println();
            System.out.printf("redrove %d job messages to the job queue%s%n", moved.jobs,
                    moved.unreadable == 0 ? "" : "; " + moved.unreadable + " unreadable messages left in the dead-letter queues");
            return moved.unreadable == 0 ? 0 : 2;
        }
    }

    private static final class Moved {
        int jobs;
        int unreadable;
    }

    private void moveBack(SqsJobQueue from, SqsJobQueue queue, JobStore store, Moved moved) {
        for (List<Delivery> batch = from.receive(10); !batch.isEmpty() && moved.jobs < max; batch = from.receive(10)) {
            for (Delivery d : batch) {
                JobSpec spec;
                try {
                    spec = JobSpec.fromJson(d.body());
                } catch (IllegalArgumentException e) {
                    moved.unreadable++;
                    from.retryLater(d, Duration.ofMinutes(5)); // hidden, so this loop does not receive it again
                    continue;
                }
                requeue(store, spec);
                queue.sendBodies(List.of(d.body()));
                from.delete(d);
                moved.jobs++;
            }
            System.err.printf("\rmoved %d", moved.jobs);
        }
    }

    /**
     * The embedded queue's dead letters (and those pixq serve's dead-letter function archived there) go back to
     * it, their jobs are requeued and processed here; serve's own jobs are left to serve, as pixq retry leaves them.
     */
    private int redriveHere() throws InterruptedException {
        try (LocalWork local = LocalWork.open(target.stateDir(), work, Clock.systemUTC())) {
            List<JobSpec> specs = new ArrayList<>();
            int unreadable = 0;
            for (SqliteJobQueue.DeadLetter letter : local.state().queue().deadLetters(max)) {
                try {
                    JobSpec spec = JobSpec.fromJson(letter.body());
                    requeue(local.state().jobs(), spec);
                    specs.add(spec);
                } catch (IllegalArgumentException e) {
                    unreadable++;
                }
            }
            System.out.printf("redrove %d job messages to the job queue%s%n", local.state().queue().redriveDeadLetters(),
                    unreadable == 0 ? "" : "; " + unreadable + " unreadable messages left in the dead letters");
            List<JobSpec> here = RetryCommand.notServed(specs, target.stateDir());
            int ran = here.isEmpty() ? 0 : local.until(here);
            return ran == 0 && unreadable > 0 ? 2 : ran;
        }
    }

    /**
     * FAILED → QUEUED, so the worker runs it again (a record in any other state is left alone); its dead-lettered
     * message, going back to the queue, is the one it has, so submitting again sends it no second one.
     */
    private static void requeue(JobStore store, JobSpec spec) {
        store.find(spec.id()).filter(job -> job.state() == JobState.FAILED)
                .ifPresent((Job job) -> store.update(job, job.requeue().sent(Clock.systemUTC())));
    }
}
