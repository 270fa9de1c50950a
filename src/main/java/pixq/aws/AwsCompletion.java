package pixq.aws;

import pixq.job.BatchCompletion;
import pixq.job.JobStore;

/**
 * A batch's completion on AWS, wherever its last job ends (the worker and dead-letter functions, a Fargate task,
 * pixq cancel): the manifest in the bucket of the batch's outputs, claimed once in the job table, and one
 * event on EventBridge's default bus.
 */
public final class AwsCompletion {
    private AwsCompletion() {}

    public static BatchCompletion of(AwsConnection aws, JobStore store, String table) {
        return new BatchCompletion(store, new S3BlobStore(aws.s3()), new DynamoCompletionClaims(aws.dynamo(), table),
                new S3Manifests(aws.s3()), new EventBridgeAnnouncer(aws.eventBridge()));
    }
}
