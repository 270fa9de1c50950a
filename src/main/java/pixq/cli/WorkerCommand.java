package pixq.cli;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pixq.aws.AwsCompletion;
import pixq.aws.AwsConnection;
import pixq.aws.DynamoJobStore;
import pixq.aws.Engines;
import pixq.aws.S3BlobStore;
import pixq.aws.SqsJobQueue;
import pixq.worker.BatchRunner;
import pixq.worker.QueueWorker;
import pixq.worker.WorkerConfig;

@Command(
        name = "worker",
        header = "A long-running worker on the SQS queue (ECS/Fargate, EC2), or --burst.",
        description = {"A long-running worker on the SQS job queue, for ECS/Fargate or EC2 and jobs longer than Lambda",
            "allows: receives, runs and settles jobs until stopped (SIGTERM lets running jobs finish)."},
        footer = {"", "Examples:", "  pixq worker --stack pixq", "  pixq worker --queue-url https://sqs.../pixq-JobQueue --table pixq-JobTable --pollers 4",
            "  pixq worker --stack pixq --burst        work off the backlog, then exit",
            "", "Environment: MAX_PIXELS, MAX_BYTES, COMMANDS (name=/path,...), COMMAND_TIMEOUT_SECONDS as for the worker function."})
final class WorkerCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    Integer pollers;

    @Option(names = "--pollers", paramLabel = "N",
            description = "Jobs at once, 1 to " + WorkOptions.MAX_WORKERS + " (default: one per core, fewer when memory is short).")
    void pollers(int n) {
        pollers = WorkOptions.checkedWorkers(command, "--pollers", n);
    }

    @Option(names = "--time-limit", defaultValue = "PT1H", paramLabel = "DURATION",
            description = "How long one job may run (ISO-8601, default: 1 hour); its lease is kept for it until then.")
    Duration timeLimit;

    @Option(names = "--burst", description = "Exit once the queue is empty (as `rq worker --burst`), instead of waiting for more.")
    boolean burst;

    @Mixin
    AwsOptions aws;

    @Override
    public Integer call() throws InterruptedException {
        AwsConnection connection = aws.connection();
        S3BlobStore blobs = new S3BlobStore(connection.s3());
        // Long polls: 20 s while waiting for work; 1 s in burst mode, to notice the end of the queue soon.
        SqsJobQueue queue = new SqsJobQueue(connection.sqs(), aws.queueUrl(), Duration.ofSeconds(burst ? 1 : 20));
        // The lease is the queue's visibility timeout and the last attempt its maxReceiveCount, as SQS applies them.
        SqsJobQueue.Settings settings = queue.settings();
        WorkerConfig config = WorkerConfig.defaults().withLease(settings.visibilityTimeout()).withTimeLimit(timeLimit)
                .withMaxBytes(Engines.maxBytes(System::getenv));
        if (settings.maxReceives() != null) {
            config = config.withMaxReceives(settings.maxReceives());
        }
        if (pollers != null) {
            config = config.withParallelism(pollers);
        }
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        // On SIGTERM (ECS stops tasks so), stop receiving and let the running jobs finish before the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                stopped.await(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        DynamoJobStore store = new DynamoJobStore(connection.dynamo(), aws.table());
        try (BatchRunner runner = new BatchRunner(store, blobs, Engines.fromEnv(System::getenv, blobs, config.parallelism()), config,
                Clock.systemUTC(), AwsCompletion.of(connection, store, aws.table()))) {
            System.err.printf("pixq worker: %d pollers on %s (lease %d s, kept while a job runs, up to %s)%n",
                    config.parallelism(), queue.queueUrl(), config.lease().toSeconds(), timeLimit);
            new QueueWorker(queue, runner, config.parallelism(), r -> System.out.printf("%s %s %s%n",
                    r.outcome(), r.jobId(), r.detail() == null ? "" : r.detail())).run(stop::get, () -> burst);
        } finally {
            stopped.countDown();
        }
        return 0;
    }
}
