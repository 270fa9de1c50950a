package pixq.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import pixq.job.BlobException;
import pixq.job.BlobStore;
import pixq.job.JobSpec;
import pixq.job.SubmitResult;
import pixq.job.Submitter;
import pixq.recipe.BlobUri;
import pixq.recipe.Operation;
import pixq.recipe.Recipe;
import pixq.recipe.Recipes;
import pixq.recipe.Json;

/**
 * The submit function's work, also run in-process by {@code pixq submit}: turns a {@link SubmitRequest}
 * into job specs (outputs under s3://OUTPUT_BUCKET/&lt;the input key's folder&gt;/) and hands them to the
 * {@link Submitter}. Inputs outside the input buckets are rejected, never read.
 *
 * <p>One call handles at most {@code maxJobs} jobs (and stops early when time runs short): a longer
 * "inputs" list is refused, a prefix is listed page by page and the response carries the request that
 * continues it ({@code next}).
 */
public final class SubmitService {
    public static final int DEFAULT_MAX_JOBS = 10_000;
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final DateTimeFormatter BATCH_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final BlobStore blobs;
    private final Submitter submitter;
    private final Set<String> inputBuckets;
    private final String outputBucket;
    private final String defaultRecipe;
    private final int maxJobs;
    private final Clock clock;
    /** The long queue's (Fargate's), or null when the stack has none. */
    private final Submitter longSubmitter;
    /** Commands whose jobs always go to the long queue: their time limit exceeds Lambda's. */
    private final Set<String> longCommands;

    public SubmitService(BlobStore blobs, Submitter submitter, Set<String> inputBuckets, String outputBucket,
            String defaultRecipe, int maxJobs, Clock clock) {
        this(blobs, submitter, inputBuckets, outputBucket, defaultRecipe, maxJobs, clock, null, Set.of());
    }

    private SubmitService(BlobStore blobs, Submitter submitter, Set<String> inputBuckets, String outputBucket,
            String defaultRecipe, int maxJobs, Clock clock, Submitter longSubmitter, Set<String> longCommands) {
        this.blobs = blobs;
        this.submitter = submitter;
        this.inputBuckets = Set.copyOf(inputBuckets);
        this.outputBucket = outputBucket;
        this.defaultRecipe = defaultRecipe == null || defaultRecipe.isBlank() ? null : defaultRecipe;
        this.maxJobs = maxJobs;
        this.clock = clock;
        this.longSubmitter = longSubmitter;
        this.longCommands = Set.copyOf(longCommands);
    }

    /**
     * The same service, sending to {@code longQueue} the jobs of requests that ask for it ({@code "long": true})
     * and of recipes that run one of {@code commands}.
     */
    public SubmitService withLongQueue(Submitter longQueue, Set<String> commands) {
        return new SubmitService(blobs, submitter, inputBuckets, outputBucket, defaultRecipe, maxJobs, clock, longQueue, commands);
    }

    /** LONG_COMMANDS, comma-separated names. */
    public static Set<String> longCommands(Function<String, String> env) {
        return buckets(env.apply("LONG_COMMANDS"));
    }

    /** Where a request's jobs go: the long queue when asked, or when the recipe runs a long command. */
    private Submitter route(boolean askedLong, Recipe recipe) {
        boolean longCommand = recipe.steps().stream().anyMatch(op -> op instanceof Operation.Command c && longCommands.contains(c.name()));
        if (!askedLong && !longCommand) {
            return submitter;
        }
        if (longSubmitter == null) {
            throw new BadRequestException("this stack has no long queue (Fargate): deploy it with EnableFargate=true,"
                    + " or submit without \"long\"");
        }
        return longSubmitter;
    }

    /** From the functions' environment: INPUT_BUCKETS (comma-separated), OUTPUT_BUCKET, DEFAULT_RECIPE, MAX_JOBS_PER_CALL. */
    public static SubmitService fromEnv(Function<String, String> env, BlobStore blobs, Submitter submitter, Clock clock) {
        return new SubmitService(blobs, submitter, buckets(env.apply("INPUT_BUCKETS")), Env.required(env, "OUTPUT_BUCKET"),
                env.apply("DEFAULT_RECIPE"), Env.integer(env, "MAX_JOBS_PER_CALL", DEFAULT_MAX_JOBS), clock);
    }

    private static Set<String> buckets(String list) {
        return list == null ? Set.of() : Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    /** What one call did; {@code next} is the request that continues a prefix submission, or null when done. */
    public record Response(String batchId, int jobs, int duplicates, List<String> rejected, JsonNode next) {}

    /** @param mayContinue false once time runs short: a prefix listing stops there and returns {@code next} */
    public Response submit(JsonNode json, BooleanSupplier mayContinue) {
        SubmitRequest request = SubmitRequest.parse(json);
        String batchId = request.batchId() != null ? request.batchId() : newBatchId(request);
        if (request.s3Objects() != null) {
            return fromEvent(batchId, request.s3Objects());
        }
        Recipe recipe = recipe(request.recipe());
        Submitter to = route(request.longJobs(), recipe);
        if (request.argsJobs() != null) {
            return only(batchId, request.argsJobs().size(), () -> to.submit(batchId, request.argsJobs().stream()
                    .map(args -> JobSpec.of(batchId, null, new BlobUri.S3(outputBucket, batchId + "/").toString(), recipe, args)).toList()));
        }
        if (request.inputs() != null) {
            return only(batchId, request.inputs().size(), () -> submitInputs(to, batchId, request.inputs(), recipe, request.args()));
        }
        return fromPrefix(to, batchId, request, recipe, mayContinue);
    }

    private Response only(String batchId, int count, java.util.function.Supplier<SubmitResult> submit) {
        if (count > maxJobs) {
            throw new BadRequestException(count + " jobs in one call, over the limit of " + maxJobs
                    + ": split the list (pixq submit does), or submit a prefix");
        }
        SubmitResult r = submit.get();
        return new Response(batchId, r.jobs(), r.duplicates(), r.rejected(), null);
    }

    private SubmitResult submitInputs(Submitter to, String batchId, List<String> inputs, Recipe recipe, List<String> args) {
        List<String> rejected = new ArrayList<>();
        List<JobSpec> specs = new ArrayList<>();
        List<String> readable = new ArrayList<>();
        for (String input : inputs) {
            String why = refusal(input);
            if (why != null) {
                rejected.add(input + " (" + why + ")");
            } else {
                readable.add(input);
            }
        }
        // One input the store refuses to read is that input's rejection, not the whole submission's failure.
        List<Object> versions = Parallel.map(readable, uri -> {
            try {
                return blobs.stat(uri).<Object>map(BlobStore.Stat::version).orElse(null);
            } catch (BlobException e) {
                return e;
            }
        });
        for (int i = 0; i < readable.size(); i++) {
            if (versions.get(i) instanceof String eTag) {
                specs.add(spec(batchId, readable.get(i), eTag, recipe, args));
            } else {
                rejected.add(readable.get(i) + " (" + (versions.get(i) instanceof BlobException e ? e.getMessage() : "no such object") + ")");
            }
        }
        SubmitResult r = specs.isEmpty() ? new SubmitResult(batchId, 0, 0, List.of()) : to.submit(batchId, specs);
        rejected.addAll(r.rejected());
        return new SubmitResult(batchId, r.jobs(), r.duplicates(), rejected);
    }

    private Response fromEvent(String batchId, List<SubmitRequest.Created> created) {
        List<String> rejected = new ArrayList<>();
        List<JobSpec> specs = new ArrayList<>();
        for (SubmitRequest.Created object : created) {
            String uri = object.uri();
            String why = refusal(uri);
            String recipeName = defaultRecipe != null ? defaultRecipe : firstFolder(uri);
            if (why == null && recipeName == null) {
                why = "no recipe: set DEFAULT_RECIPE, or drop it under a folder named after a built-in recipe " + Recipes.builtIns().keySet();
            }
            if (why != null) {
                rejected.add(uri + " (" + why + ")");
            } else if (!uri.endsWith("/")) { // a "folder" placeholder object is not an image
                specs.add(spec(batchId, uri, object.eTag(), Recipes.resolve(recipeName), List.of()));
            }
        }
        // Each dropped file's recipe says which queue it goes to.
        Map<Submitter, List<JobSpec>> byQueue = specs.stream().collect(
                Collectors.groupingBy(s -> route(false, s.recipe()), LinkedHashMap::new, Collectors.toList()));
        int jobs = 0;
        int duplicates = 0;
        for (Map.Entry<Submitter, List<JobSpec>> queue : byQueue.entrySet()) {
            SubmitResult one = queue.getKey().submit(batchId, queue.getValue());
            jobs += one.jobs();
            duplicates += one.duplicates();
            rejected.addAll(one.rejected());
        }
        return new Response(batchId, jobs, duplicates, rejected, null);
    }

    private static String firstFolder(String uri) {
        String key = BlobUri.s3(uri).key();
        int slash = key.indexOf('/');
        String folder = slash < 0 ? null : key.substring(0, slash).toLowerCase(Locale.ROOT);
        return folder != null && Recipes.builtIns().containsKey(folder) ? folder : null;
    }

    private Response fromPrefix(Submitter to, String batchId, SubmitRequest request, Recipe recipe, BooleanSupplier mayContinue) {
        String why = refusal(request.prefix());
        if (why != null) {
            return new Response(batchId, 0, 0, List.of(request.prefix() + " (" + why + ")"), null);
        }
        BlobUri.S3 at = BlobUri.s3(request.prefix());
        int jobs = 0;
        int duplicates = 0;
        List<String> rejected = new ArrayList<>();
        String after = request.startAfter();
        // Pages of up to 1000 keys, never past the cap: submit each, stop between pages when the time is short.
        while (true) {
            int room = maxJobs - jobs - duplicates;
            BlobStore.Page page = blobs.page(request.prefix(), after == null ? null : new BlobUri.S3(at.bucket(), after).toString(), Math.min(1000, room));
            List<JobSpec> specs = page.blobs().stream().filter(b -> !b.uri().endsWith("/") && !S3Manifests.reserved(b.uri()))
                    .map(b -> spec(batchId, b.uri(), b.version(), recipe, request.args())).toList();
            if (!specs.isEmpty()) {
                SubmitResult r = to.submit(batchId, specs);
                jobs += r.jobs();
                duplicates += r.duplicates();
                rejected.addAll(r.rejected());
            }
            if (!page.more() || page.blobs().isEmpty()) {
                return new Response(batchId, jobs, duplicates, rejected, null);
            }
            after = BlobUri.s3(page.blobs().get(page.blobs().size() - 1).uri()).key();
            if (jobs + duplicates >= maxJobs || !mayContinue.getAsBoolean()) {
                return new Response(batchId, jobs, duplicates, rejected, request.continuation(batchId, after));
            }
        }
    }

    /** @param eTag the version of the input this job is for: an object uploaded again is new work */
    private JobSpec spec(String batchId, String input, String eTag, Recipe recipe, List<String> args) {
        String key = BlobUri.s3(input).key();
        String folder = key.contains("/") ? key.substring(0, key.lastIndexOf('/') + 1) : "";
        // Listings quote ETags, events do not: one form, so both name the same job.
        String version = S3BlobStore.unquoted(eTag);
        return JobSpec.of(batchId, input, version, new BlobUri.S3(outputBucket, folder).toString(), recipe, args);
    }

    /** Why an input may not be read, or null when it may. */
    private String refusal(String uri) {
        BlobUri.S3 at;
        try {
            at = BlobUri.s3(uri);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (at.key().startsWith(S3Manifests.RESERVED)) {
            return "keys under " + S3Manifests.RESERVED + " are pixq's own (batch manifests), never inputs";
        }
        if (!inputBuckets.contains(at.bucket())) {
            return "bucket " + at.bucket() + " is not an input bucket " + inputBuckets;
        }
        // S3 keeps "a/../b" as it is, a bucket folder would resolve it: such a key names no one object.
        return Arrays.stream(at.key().split("/", -1)).anyMatch(part -> part.equals("..") || part.equals("."))
                ? "a key with a '.' or '..' part is refused" : null;
    }

    /** A built-in name or a recipe string; a JSON object for a full recipe. Never a file on the function's disk. */
    private static Recipe recipe(JsonNode recipe) {
        try {
            if (recipe.isObject()) {
                return JSON.treeToValue(recipe, Recipe.class).validated();
            }
            String text = recipe.asText().strip();
            if (text.toLowerCase(Locale.ROOT).endsWith(".json")) {
                throw new BadRequestException("recipe files are read by the CLI, not by the function: send the recipe object itself");
            }
            return Recipes.resolve(text);
        } catch (BadRequestException e) {
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadRequestException("bad recipe: " + Recipes.why(e));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("bad recipe: " + e.getMessage());
        }
    }

    private String newBatchId(SubmitRequest request) {
        String stamp = BATCH_TIME.format(clock.instant());
        // Dropped files gather in one batch per day, so `pixq status s3-20240501` shows the day's progress.
        return request.s3Objects() != null ? "s3-" + stamp.substring(0, 8) : "b-" + stamp + "-" + UUID.randomUUID().toString().substring(0, 4);
    }
}
