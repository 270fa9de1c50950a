package pixq.aws;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import pixq.job.BlobStore;
import pixq.job.JobQueue;
import pixq.job.JobStore;
import pixq.local.BucketFolders;
import pixq.local.LocalState;

/**
 * The ports the two functions work on. On Lambda: the job table (TABLE_NAME), the job queue (QUEUE_URL)
 * and S3. Under {@code pixq serve}'s embedded backend, which sets PIXQ_STATE and PIXQ_BUCKETS: the
 * embedded state folder's records and queue, and buckets as folders ({@code PIXQ_BUCKETS/bucket/key}).
 * The handlers' code is the same either way. The queue is opened on demand: only the submit function sends.
 */
record FunctionPorts(JobStore store, Supplier<JobQueue> queue, BlobStore blobs) {

    static FunctionPorts fromEnv(Function<String, String> env, AwsConnection aws) {
        String state = env.apply("PIXQ_STATE");
        if (state != null && !state.isBlank()) {
            // Open for the life of the function's process, as the AWS clients are.
            LocalState local = LocalState.open(Path.of(state));
            return new FunctionPorts(local.jobs(), local::queue, new BucketFolders(Path.of(Env.required(env, "PIXQ_BUCKETS"))));
        }
        return new FunctionPorts(new DynamoJobStore(aws.dynamo(), Env.required(env, "TABLE_NAME")),
                () -> new SqsJobQueue(aws.sqs(), Env.required(env, "QUEUE_URL"), Duration.ZERO), new S3BlobStore(aws.s3()));
    }
}
