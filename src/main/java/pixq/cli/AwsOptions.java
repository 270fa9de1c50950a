package pixq.cli;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;
import pixq.aws.AwsCompletion;
import pixq.aws.AwsConnection;
import pixq.aws.DynamoJobStore;
import pixq.aws.SqsJobQueue;
import pixq.job.BatchCompletion;
import pixq.job.JobQueue;
import pixq.job.JobStore;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Output;

/**
 * Where pixq's AWS resources are: read from a deployed stack's Outputs (--stack, or PIXQ_STACK), each
 * overridable by its own flag; --endpoint-url points at an emulator (moto, LocalStack).
 */
final class AwsOptions {
    @Option(names = "--stack", defaultValue = "${env:PIXQ_STACK}", paramLabel = "NAME",
            description = "The deployed stack whose Outputs name the resources (default: $PIXQ_STACK).")
    String stack;

    @Option(names = "--region", defaultValue = "${env:AWS_REGION}", description = "AWS region (default: $AWS_REGION, else us-east-1).")
    String region;

    @Option(names = "--endpoint-url", paramLabel = "URL", description = "An emulator's endpoint, such as http://127.0.0.1:5000.")
    URI endpoint;

    @Option(names = "--table", paramLabel = "NAME", description = "Job table (stack output TableName).")
    String table;

    @Option(names = "--queue-url", paramLabel = "URL", description = "Job queue (stack output QueueUrl).")
    String queueUrl;

    @Option(names = "--dlq-url", paramLabel = "URL", description = "Dead-letter queue (stack output DeadLetterQueueUrl).")
    String dlqUrl;

    @Option(names = "--dlq-archive-url", paramLabel = "URL",
            description = "Dead letters already recorded FAILED, waiting for a redrive (stack output DeadLetterArchiveUrl).")
    String dlqArchiveUrl;

    @Option(names = "--long-queue-url", paramLabel = "URL", description = "The long (Fargate) job queue (stack output LongQueueUrl).")
    String longQueueUrl;

    @Option(names = "--input-bucket", paramLabel = "NAME", description = "Input bucket (stack output InputBucket).")
    String inputBucket;

    @Option(names = "--output-bucket", paramLabel = "NAME", description = "Output bucket (stack output OutputBucket).")
    String outputBucket;

    private Map<String, String> outputs;

    /**
     * The flags that name the job table as this command was given them, for a follow-up command to print
     * (pixq watch needs the same table, region and endpoint): " --stack pixq", or " --endpoint-url ... --table ...".
     */
    String storeFlags() {
        StringBuilder flags = new StringBuilder();
        if (stack != null && !stack.equals(System.getenv("PIXQ_STACK"))) {
            flags.append(" --stack ").append(stack);
        }
        if (region != null && !region.equals(System.getenv("AWS_REGION"))) {
            flags.append(" --region ").append(region);
        }
        if (endpoint != null) {
            flags.append(" --endpoint-url ").append(endpoint);
        }
        if (table != null) {
            flags.append(" --table ").append(table);
        }
        return flags.toString();
    }

    /** True when the user pointed at AWS at all (a stack or a table or a queue). */
    boolean given() {
        return stack != null || table != null || queueUrl != null;
    }

    AwsConnection connection() {
        return new AwsConnection(region, endpoint);
    }

    String table() {
        return name(table, "TableName", "--table");
    }

    String queueUrl() {
        return name(queueUrl, "QueueUrl", "--queue-url");
    }

    String dlqUrl() {
        return name(dlqUrl, "DeadLetterQueueUrl", "--dlq-url");
    }

    /** The dead-letter queue when named (flag or stack output), else null. */
    String dlqUrlIfAny() {
        return dlqUrl != null ? dlqUrl : stack == null ? null : stackOutputs().get("DeadLetterQueueUrl");
    }

    /** The dead-letter archive when named (by flag or the stack's Outputs), else null. */
    String dlqArchiveUrlIfAny() {
        return dlqArchiveUrl != null ? dlqArchiveUrl : stack == null ? null : stackOutputs().get("DeadLetterArchiveUrl");
    }

    /**
     * The dead-letter archive, where the dead-letter function keeps what it recorded FAILED; none when
     * --dlq-url names another dead-letter queue (the long queue's) without --dlq-archive-url.
     */
    Optional<String> dlqArchiveUrl() {
        return dlqUrl != null && dlqArchiveUrl == null ? Optional.empty()
                : Optional.of(name(dlqArchiveUrl, "DeadLetterArchiveUrl", "--dlq-archive-url"));
    }

    String inputBucket() {
        return name(inputBucket, "InputBucket", "--input-bucket");
    }

    String outputBucket() {
        return name(outputBucket, "OutputBucket", "--output-bucket");
    }

    /** The long (Fargate) queue: the flag, or the stack's output when it deployed one; else null. */
    String longQueueUrlIfAny() {
        return longQueueUrl != null ? longQueueUrl : stack == null ? null : stackOutputs().get("LongQueueUrl");
    }

    /** The commands whose jobs the stack sends to its long queue (its LongCommands output), as the submit function does. */
    String longCommands() {
        return stack == null ? "" : stackOutputs().getOrDefault("LongCommands", "");
    }

    private String name(String flag, String output, String option) {
        if (flag != null) {
            return flag;
        }
        if (stack == null) {
            throw new IllegalArgumentException("give " + option + ", or --stack NAME (or set PIXQ_STACK) to read it from the stack's Outputs");
        }
        String value = stackOutputs().get(output);
        if (value == null) {
            throw new IllegalArgumentException("stack " + stack + " has no output " + output + ": give " + option);
        }
        return value;
    }

    private Map<String, String> stackOutputs() {
        if (outputs == null) {
            try (CloudFormationClient cfn = connection().cloudFormation()) {
                outputs = cfn.describeStacks(b -> b.stackName(stack)).stacks().get(0).outputs().stream()
                        .collect(Collectors.toMap(Output::outputKey, Output::outputValue));
            }
        }
        return outputs;
    }

    /** The job table and queue, as a {@link Target} for the commands that work on either. */
    Target open() {
        AwsConnection aws = connection();
        JobStore store = new DynamoJobStore(aws.dynamo(), table());
        String url = queueUrl;
        return new Target() {
            private JobQueue queue;

            @Override
            public JobStore store() {
                return store;
            }

            @Override
            public JobQueue queue() {
                if (queue == null) {
                    queue = new SqsJobQueue(aws.sqs(), url != null ? url : queueUrl(), java.time.Duration.ofSeconds(1));
                }
                return queue;
            }

            @Override
            public BatchCompletion completion() {
                return AwsCompletion.of(aws, store, table());
            }

            @Override
            public void close() {}
        };
    }
}
