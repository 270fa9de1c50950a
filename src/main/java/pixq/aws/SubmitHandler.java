package pixq.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import pixq.job.Submitter;
import pixq.recipe.Json;

/**
 * The submit function: a list of inputs, a prefix, args-only jobs or an S3 ObjectCreated event in;
 * {@code {batchId, jobs, duplicates, rejected[, next]}} out (see {@link SubmitRequest} for the shapes).
 * A malformed request fails the call with {@link BadRequestException} and its reason.
 * Environment: TABLE_NAME, QUEUE_URL, INPUT_BUCKETS, OUTPUT_BUCKET, DEFAULT_RECIPE, MAX_JOBS_PER_CALL; with the
 * Fargate resources, LONG_QUEUE_URL and LONG_COMMANDS (jobs asking {@code "long": true} or running those commands go there).
 */
public final class SubmitHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    /** Stop listing a prefix with this much time left: the submit of the last page and the reply still fit. */
    static final Duration MARGIN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = Json.MAPPER;

    private final SubmitService service;

    /** Clients are built once per container, at init (and so in the SnapStart snapshot). */
    public SubmitHandler() {
        this(System::getenv, AwsConnection.fromEnv());
    }

    public SubmitHandler(Function<String, String> env, AwsConnection aws) {
        Clock clock = Clock.systemUTC();
        FunctionPorts ports = FunctionPorts.fromEnv(env, aws);
        SubmitService service = SubmitService.fromEnv(env, ports.blobs(), new Submitter(ports.store(), ports.queue().get(), ports.blobs(), clock), clock);
        String longQueue = env.apply("LONG_QUEUE_URL");
        this.service = longQueue == null || longQueue.isBlank() ? service : service.withLongQueue(
                new Submitter(ports.store(), new SqsJobQueue(aws.sqs(), longQueue, Duration.ZERO), ports.blobs(), clock), SubmitService.longCommands(env));
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        JsonLog log = new JsonLog(System.out, Clock.systemUTC(), Map.of("requestId", context.getAwsRequestId()));
        SubmitService.Response r;
        try {
            r = service.submit(JSON.valueToTree(event), () -> context.getRemainingTimeInMillis() > MARGIN.toMillis());
        } catch (BadRequestException e) {
            log.warn("bad request", Map.of("error", e.getMessage()));
            throw e;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("batchId", r.batchId());
        out.put("jobs", r.jobs());
        out.put("duplicates", r.duplicates());
        out.put("rejected", r.rejected());
        if (r.next() != null) {
            out.put("next", JSON.convertValue(r.next(), Map.class));
        }
        log.info("submitted", out);
        return out;
    }
}
