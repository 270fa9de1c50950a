package pixq.aws;

import java.time.Duration;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.function.Supplier;
import pixq.job.BatchCompletion;
import pixq.job.BlobStore;
import pixq.job.JobQueue;
import pixq.job.JobStore;

/**
 * The ports the functions work on. On Lambda: the job table (TABLE_NAME), the job queue (QUEUE_URL) and S3.
 * An emulator that runs the same handlers on other ports (pixq serve's embedded backend) registers a
 * {@link Provider}: the handlers never know which backend they run on. The queue is opened on demand: only
 * the submit function sends; so is the batch completion (manifests and events; null when the ports have none):
 * only the worker and dead-letter functions end jobs.
 */
public record FunctionPorts(JobStore store, Supplier<JobQueue> queue, BlobStore blobs, Supplier<BatchCompletion> completion) {

    /** Ports without a batch completion: no manifests, no events. */
    public FunctionPorts(JobStore store, Supplier<JobQueue> queue, BlobStore blobs) {
        this(store, queue, blobs, () -> null);
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
                () -> AwsCompletion.of(aws, store, table));
    }
}
