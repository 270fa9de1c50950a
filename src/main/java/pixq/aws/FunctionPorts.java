package pixq.aws;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.Supplier;
import pixq.job.BatchCompletion;
import pixq.job.BlobStore;
import pixq.job.JobQueue;
import pixq.job.JobStore;

/**
 * The ports the functions work on. On Lambda: the job table (TABLE_NAME), the job queue (QUEUE_URL), S3 and
 * the dead-letter archive (ARCHIVE_QUEUE_URL). An emulator that runs the same handlers on other ports (pixq
 * serve's embedded backend) registers a {@link Provider}: the handlers never know which backend they run on.
 * The queue is opened on demand: only the submit function sends; so are the batch completion (manifests and
 * events; null when the ports have none), which only the worker and dead-letter functions need, and the
 * dead-letter archive (null: none), which only the dead-letter function needs.
 */
public record FunctionPorts(JobStore store, Supplier<JobQueue> queue, BlobStore blobs, Supplier<BatchCompletion> completion,
        Supplier<DeadLetterArchive> deadLetterArchive) {

    /** Ports without a batch completion (no manifests, no events) nor a dead-letter archive. */
    public FunctionPorts(JobStore store, Supplier<JobQueue> queue, BlobStore blobs) {
        this(store, queue, blobs, () -> null, () -> null);
    }

    /**
     * Where the dead-letter function keeps each message whose job it ended, for {@code pixq redrive} to send
     * back: on AWS the archive queue; under pixq serve's embedded backend the state's dead letters.
     */
    @FunctionalInterface
    public interface DeadLetterArchive {
        /** @param receives how often the message was received before it was dead-lettered */
        void keep(String messageId, String body, int receives);
    }

    /** Ports other than AWS's, chosen by the function's environment; found with {@link ServiceLoader}. */
    public interface Provider {
        /** This provider's ports when the environment asks for them, else empty. */
        Optional<FunctionPorts> open(Function<String, String> env);
    }

    static FunctionPorts fromEnv(Function<String, String> env, AwsConnection aws) {
        for (Provider provider : ServiceLoader.load(Provider.class)) {
            Optional<FunctionPorts> ports = provider.open(env);
            if (ports.isPresent()) {
                return ports.get();
            }
        }
        String table = Env.required(env, "TABLE_NAME");
        DynamoJobStore store = new DynamoJobStore(aws.dynamo(), table);
        S3BlobStore blobs = new S3BlobStore(aws.s3());
        return new FunctionPorts(store, () -> new SqsJobQueue(aws.sqs(), Env.required(env, "QUEUE_URL"), Duration.ZERO), blobs,
                () -> AwsCompletion.of(aws, store, table),
                () -> {
                    SqsJobQueue archive = new SqsJobQueue(aws.sqs(), Env.required(env, "ARCHIVE_QUEUE_URL"), Duration.ZERO);
                    return (messageId, body, receives) -> archive.sendBodies(List.of(body));
                });
    }
}
