package pixq.serve;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pixq.aws.AwsConnection;

/**
 * Where the served functions work: the embedded backend (the state folder's queue and records, buckets as
 * folders under {@code data}), or AWS resources (an emulator's, or a stack's) already named. Each kind
 * answers every question itself (Java 17 has no pattern switch), so a new kind cannot forget one.
 */
public sealed interface Backend {
    String inputBucket();

    String outputBucket();

    /**
     * The function's Environment from the template, with this backend's resource names in place of the
     * template's references (only for the variables the function declares) and what the backend adds.
     */
    Map<String, String> environment(Template.Function function);

    /**
     * Buckets are folders {@code data/BUCKET/KEY}; queue and records in the state folder; {@code onBatchDone}, a
     * shell command given each batch's completion event (null: the event is only logged).
     */
    record Embedded(Path state, Path data, String onBatchDone) implements Backend {
        static final String INPUT_BUCKET = "pixq-input";
        static final String OUTPUT_BUCKET = "pixq-output";

        public Embedded(Path state, Path data) {
            this(state, data, null);
        }

        @Override
        public String inputBucket() {
            return INPUT_BUCKET;
        }

        @Override
        public String outputBucket() {
            return OUTPUT_BUCKET;
        }

        @Override
        public Map<String, String> environment(Template.Function function) {
            Map<String, String> env = named(function, Map.of("INPUT_BUCKETS", INPUT_BUCKET, "OUTPUT_BUCKET", OUTPUT_BUCKET));
            // the template's table and queues are the state folder's here (EmbeddedPorts): no resource name left to mislead
            env.keySet().removeAll(List.of("TABLE_NAME", "QUEUE_URL", "ARCHIVE_QUEUE_URL"));
            env.put(EmbeddedPorts.STATE, state.toAbsolutePath().toString());
            env.put(EmbeddedPorts.BUCKETS, data.toAbsolutePath().toString());
            if (onBatchDone != null) {
                env.put(EmbeddedPorts.ON_BATCH_DONE, onBatchDone);
            }
            return env;
        }
    }

    /**
     * {@code dlqUrl} may be null (no dead-letter mapping), {@code archiveUrl} too (the dead-letter function is
     * then told of none, and says so); {@code endpoint} is null on AWS itself.
     */
    record Aws(AwsConnection connection, URI endpoint, String inputBucket, String outputBucket, String queueUrl, String dlqUrl,
            String archiveUrl, String table) implements Backend {
        @Override
        public Map<String, String> environment(Template.Function function) {
            Map<String, String> env = named(function, Map.of("INPUT_BUCKETS", inputBucket, "OUTPUT_BUCKET", outputBucket,
                    "TABLE_NAME", table, "QUEUE_URL", queueUrl));
            if (env.containsKey("ARCHIVE_QUEUE_URL")) {
                // never the template's resource name, which the handler would take for a queue URL
                if (archiveUrl == null) {
                    env.remove("ARCHIVE_QUEUE_URL");
                } else {
                    env.put("ARCHIVE_QUEUE_URL", archiveUrl);
                }
            }
            if (endpoint != null) {
                env.put("AWS_ENDPOINT_URL", endpoint.toString());
            }
            env.put("AWS_REGION", connection.region());
            return env;
        }
    }

    /** The template's environment, each variable it declares among {@code names} given the backend's value. */
    private static Map<String, String> named(Template.Function function, Map<String, String> names) {
        Map<String, String> env = new LinkedHashMap<>(function.env());
        names.forEach((variable, name) -> env.computeIfPresent(variable, (v, old) -> name));
        return env;
    }
}
