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
            "(attempts start again from zero). On AWS, unreadable messages stay in the dead-letter queue;",
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
        SqsJobQueue dlq = new SqsJobQueue(connection.sqs(), aws.dlqUrl(), Duration.ZERO);
        SqsJobQueue queue = new SqsJobQueue(connection.sqs(), aws.queueUrl(), Duration.ZERO);
        try (Target target = aws.open()) {
            int moved = 0;
            int unreadable = 0;
            for (List<Delivery> batch = dlq.receive(10); !batch.isEmpty() && moved < max; batch = dlq.receive(10)) {
                for (Delivery d : batch) {
                    JobSpec spec;
                    try {
                        spec = JobSpec.fromJson(d.body());
                    } catch (IllegalArgumentException e) {
                        unreadable++;
                        dlq.retryLater(d, Duration.ofMinutes(5)); // hidden, so this loop does not receive it again
                        continue;
                    }
                    requeue(target.store(), spec);
                    queue.sendBodies(List.of(d.body()));
                    dlq.delete(d);
                    moved++;
                }
                System.err.printf("\rmoved %d", moved);
            }
            System.err.println();
            System.out.printf("redrove %d job messages to the job queue%s%n", moved,
                    unreadable == 0 ? "" : "; " + unreadable + " unreadable messages left in the dead-letter queue");
            return unreadable == 0 ? 0 : 2;
        }
    }

    /** The embedded queue's dead letters go back to it, their jobs are requeued and processed here. */
    private int redriveHere() throws InterruptedException {
        try (LocalWork local = LocalWork.open(target.stateDir(), work, Clock.systemUTC())) {
            List<JobSpec> specs = new ArrayList<>();
            for (SqliteJobQueue.DeadLetter letter : local.state().queue().deadLetters(max)) {
                JobSpec spec = JobSpec.fromJson(letter.body()); // only readable messages are ever dead-lettered here
                requeue(local.state().jobs(), spec);
                specs.add(spec);
            }
            System.out.printf("redrove %d job messages to the job queue%n", local.state().queue().redriveDeadLetters());
            return specs.isEmpty() ? 0 : local.until(specs);
        }
    }

    /** FAILED → QUEUED, so the worker runs it again (a record in any other state is left alone). */
    private static void requeue(JobStore store, JobSpec spec) {
        store.find(spec.id()).filter(job -> job.state() == JobState.FAILED).ifPresent((Job job) -> store.update(job, job.requeue()));
    }
}
