package pixq.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where {@code pixq serve} and {@code pixq invoke} point the functions: the embedded backend (the default:
 * the state folder's queue and records, buckets as folders under --data), or AWS resources (an emulator's
 * with --endpoint-url, or a stack's) named by the AWS options.
 */
final class FunctionsBackend {
    static final String INPUT_BUCKET = "pixq-input";
    static final String OUTPUT_BUCKET = "pixq-output";

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

    String inputBucket() {
        return embedded() && aws.inputBucket == null ? INPUT_BUCKET : aws.inputBucket();
    }

    String outputBucket() {
        return embedded() && aws.outputBucket == null ? OUTPUT_BUCKET : aws.outputBucket();
    }

    /**
     * The function's Environment from the template, with the resource names this backend gives in place of
     * the template's references (only for the variables the function declares); the embedded backend adds
     * PIXQ_STATE and PIXQ_BUCKETS, an emulator AWS_ENDPOINT_URL.
     */
    Map<String, String> environment(Template.Function function) {
        Map<String, String> env = new LinkedHashMap<>(function.env());
        Map<String, java.util.function.Supplier<String>> names = new LinkedHashMap<>();
        names.put("INPUT_BUCKETS", this::inputBucket);
        names.put("OUTPUT_BUCKET", this::outputBucket);
        if (embedded()) {
            env.put("PIXQ_STATE", state.dir.toAbsolutePath().toString());
            env.put("PIXQ_BUCKETS", data.toAbsolutePath().toString());
        } else {
            names.put("TABLE_NAME", aws::table);
            names.put("QUEUE_URL", aws::queueUrl);
            if (aws.endpoint != null) {
                env.put("AWS_ENDPOINT_URL", aws.endpoint.toString());
            }
            env.put("AWS_REGION", aws.connection().region());
        }
        names.forEach((variable, name) -> {
            if (env.containsKey(variable)) {
                env.put(variable, name.get());
            }
        });
        return env;
    }
}
