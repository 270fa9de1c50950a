package pixq.cli;

import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pixq.serve.Backend;

/**
 * Where {@code pixq serve} and {@code pixq invoke} point the functions: the embedded backend (the default:
 * the state folder's queue and records, buckets as folders under --data), or AWS resources (an emulator's
 * with --endpoint-url, or a stack's) named by the AWS options.
 */
final class FunctionsBackend {
    @Mixin
    AwsOptions aws;

    @Mixin
    StateOption state;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "pixq-data",
            description = "Embedded backend: the buckets' folder, DIR/BUCKET/KEY (default: ${DEFAULT-VALUE}).")
    Path data;

    boolean embedded() {
        return !aws.given() && aws.endpoint == null;
    }

    /** The backend these options name; on AWS every resource must be named (by flags or the stack's Outputs). */
    Backend resolve() {
        if (embedded()) {
            return new Backend.Embedded(state.dir, data);
        }
        return new Backend.Aws(aws.connection(), aws.endpoint, aws.inputBucket(), aws.outputBucket(), aws.queueUrl(),
                aws.dlqUrlIfAny(), aws.dlqArchiveUrlIfAny(), aws.table());
    }
}
