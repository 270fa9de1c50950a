package pixq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.aws.AwsConnection;
import pixq.aws.DynamoJobStore;
import pixq.aws.S3BlobStore;
import pixq.aws.SqsJobQueue;
import pixq.aws.SubmitService;
import pixq.job.Submitter;
import pixq.recipe.Recipes;
import pixq.recipe.Json;

@Command(
        name = "submit",
        header = "Submit jobs to pixq on AWS: S3 inputs, a prefix, or args-only jobs.",
        description = {"Submits jobs to pixq on AWS, as the submit function does: S3 inputs, a prefix, or args-only jobs.",
            "Writes the QUEUED records and the job messages; the worker function does the rest."},
        footer = {
            "",
            "Examples:",
            "  pixq submit --stack pixq --recipe web s3://BUCKET/photos/a.jpg s3://BUCKET/photos/b.jpg",
            "  pixq submit --stack pixq --recipe thumbnail --prefix s3://BUCKET/photos/",
            "  pixq submit --stack pixq --recipe 'command myjob' --args-only a b c     three jobs, as add_jobs.py a b c",
            "  pixq submit --stack pixq --recipe 'command myjob' --args-only a b --arg --fast   jobs [a --fast], [b --fast]",
            "",
            "Then: pixq watch BATCH"
        })
final class SubmitCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = Json.MAPPER;

    @Parameters(paramLabel = "INPUT", arity = "0..*", description = "s3:// inputs (or, with --args-only, one job's args each).")
    List<String> inputs = List.of();

    @Option(names = "--prefix", paramLabel = "S3_URI", description = "Every object under this s3:// prefix.")
    String prefix;

    @Option(names = {"-r", "--recipe"}, required = true, description = "A built-in name (thumbnail, web, meta), a recipe string or a .json file.")
    String recipe;

    @Option(names = "--arg", paramLabel = "ARG", description = "An argument handed to custom code (repeatable);"
            + " with --args-only, added after each job's own.")
    List<String> args = List.of();

    @Option(names = "--args-only", description = "Each INPUT is the argument of one job without an input image.")
    boolean argsOnly;

    @Option(names = "--batch", paramLabel = "ID", description = "Batch id (default: a new one).")
    String batch;

    @Option(names = "--long", description = "Send the jobs to the long queue (Fargate, deployed with EnableFargate=true),"
            + " for jobs longer than Lambda allows. Recipes running one of the stack's LongCommands go there anyway.")
    boolean longJobs;

    @Mixin
    AwsOptions aws;

    @Override
    public Integer call() {
        AwsConnection connection = aws.connection();
        Clock clock = Clock.systemUTC();
        DynamoJobStore store = new DynamoJobStore(connection.dynamo(), aws.table());
        S3BlobStore outputs = new S3BlobStore(connection.s3());
        Submitter submitter = new Submitter(store, new SqsJobQueue(connection.sqs(), aws.queueUrl(), Duration.ZERO), outputs, clock);
        SubmitService service = new SubmitService(outputs, submitter, Set.of(aws.inputBucket()), aws.outputBucket(),
                null, SubmitService.DEFAULT_MAX_JOBS, clock);
        String longQueue = aws.longQueueUrlIfAny();
        if (longQueue != null) {
            service = service.withLongQueue(new Submitter(store, new SqsJobQueue(connection.sqs(), longQueue, Duration.ZERO), outputs, clock),
                    SubmitService.longCommands(variable -> aws.longCommands()));
        }
        int jobs = 0;
        int duplicates = 0;
        int rejected = 0;
        String batchId = batch;
        for (ObjectNode request : requests()) {
            JsonNode next = request;
            while (next != null) {
                if (batchId != null) {
                    ((ObjectNode) next).put("batchId", batchId);
                }
                SubmitService.Response r = service.submit(next, () -> true);
                batchId = r.batchId();
                jobs += r.jobs();
                duplicates += r.duplicates();
                rejected += r.rejected().size();
                r.rejected().forEach(why -> System.err.println("rejected: " + why));
                System.err.printf("\rsubmitted %d jobs (%d already known)", jobs, duplicates);
                next = r.next();
            }
        }
        System.err.println();
        System.out.printf("batch %s: %d jobs queued, %d duplicates, %d rejected%nwatch it: pixq watch %s%s%n",
                batchId, jobs, duplicates, rejected, batchId, aws.storeFlags());
        return rejected == 0 ? 0 : 2;
    }

    /** The submission as submit-function requests, a long list split at the function's per-call limit. */
    private List<ObjectNode> requests() {
        if (prefix != null && !inputs.isEmpty() && !argsOnly) {
            throw new IllegalArgumentException("give INPUTs or --prefix, not both");
        }
        // Resolved here: a recipe file exists only on this machine, and a bad recipe is refused before any call.
        JsonNode recipeNode = JSON.valueToTree(Recipes.resolve(recipe));
        if (prefix != null) {
            return List.of(request(recipeNode).put("prefix", prefix));
        }
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("nothing to submit: give s3:// INPUTs, --prefix, or --args-only ARGS");
        }
        int chunk = SubmitService.DEFAULT_MAX_JOBS;
        return java.util.stream.IntStream.range(0, (inputs.size() + chunk - 1) / chunk).mapToObj(i -> {
            List<String> part = inputs.subList(i * chunk, Math.min(inputs.size(), (i + 1) * chunk));
            ObjectNode r = request(recipeNode);
            r.set(argsOnly ? "args" : "inputs", JSON.valueToTree(argsOnly ? part.stream().map(this::jobArgs).toList() : part));
            return r;
        }).toList();
    }

    /** An args-only job's args: its INPUT, then the --arg values. */
    private List<String> jobArgs(String input) {
        List<String> all = new java.util.ArrayList<>(List.of(input));
        all.addAll(args);
        return all;
    }

    private ObjectNode request(JsonNode recipeNode) {
        ObjectNode r = JSON.createObjectNode();
        r.set("recipe", recipeNode);
        if (!argsOnly) {
            r.set("args", JSON.valueToTree(args));
        }
        if (longJobs) {
            r.put("long", true);
        }
        return r;
    }
}
