package pixq.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import pixq.image.EngineConfig;
import pixq.image.ImageEngine;
import pixq.job.Delivery;
import pixq.worker.BatchRunner;
import pixq.worker.ItemResult;
import pixq.worker.WorkerConfig;
import pixq.job.JobQueue;

/**
 * The worker function: an SQS batch in, the core {@link BatchRunner} over it, and the messages to
 * deliver again (retryable failures, jobs not started for lack of time) out as batch item failures.
 * Failed-for-good jobs are FAILED in the table and their messages deleted. Environment: TABLE_NAME,
 * MAX_RECEIVES, MAX_PIXELS, MAX_BYTES, JOB_LEASE_SECONDS, START_MARGIN_SECONDS, COMMANDS,
 * COMMAND_TIMEOUT_SECONDS (a command's time limit is also cut to the invocation's remaining time).
 */
public final class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    /** A command is stopped this long before the function's end, so that its job's failure is still recorded. */
    static final Duration COMMAND_MARGIN = Duration.ofSeconds(10);

    private final BatchRunner runner;
    private final long marginMillis;
    /** The invocation running now (one at a time per instance): commands' time limit follows its remaining time. */
    private final AtomicReference<Context> current;

    /** Clients, engine and thread pool are built once per container, at init. */
    public WorkerHandler() {
        this(System::getenv, AwsConnection.fromEnv());
    }

    public WorkerHandler(Function<String, String> env, AwsConnection aws) {
        this(env, FunctionPorts.fromEnv(env, aws), new AtomicReference<>());
    }

    private WorkerHandler(Function<String, String> env, FunctionPorts ports, AtomicReference<Context> current) {
        this(env, ports, Engines.fromEnv(env, ports.blobs(), WorkerConfig.defaults().parallelism(), () -> timeLeft(current.get())), current);
    }

    public WorkerHandler(Function<String, String> env, AwsConnection aws, ImageEngine engine) {
        this(env, FunctionPorts.fromEnv(env, aws), engine, new AtomicReference<>());
    }

    private WorkerHandler(Function<String, String> env, FunctionPorts ports, ImageEngine engine, AtomicReference<Context> current) {
        this.current = current;
        WorkerConfig config = WorkerConfig.defaults()
                .withMaxReceives(Env.integer(env, "MAX_RECEIVES", JobQueue.DEFAULT_MAX_RECEIVES))
                .withMaxBytes(Engines.maxBytes(env))
                .withLease(Duration.ofSeconds(Env.integer(env, "JOB_LEASE_SECONDS", 900)));
        this.runner = new BatchRunner(ports.store(), ports.blobs(), engine, config, Clock.systemUTC(), ports.completion().get());
        this.marginMillis = Duration.ofSeconds(Env.integer(env, "START_MARGIN_SECONDS", 30)).toMillis();
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        current.set(context);
        List<Delivery> batch = event.getRecords().stream().map(WorkerHandler::delivery).toList();
        List<ItemResult> results = runner.run(batch, () -> context.getRemainingTimeInMillis() > marginMillis);
        JsonLog log = new JsonLog(System.out, Clock.systemUTC(), Map.of("requestId", context.getAwsRequestId()));
        results.forEach(r -> WorkerReport.log(log, r));
        WorkerReport.metrics(log, context.getFunctionName(), results);
        return new SQSBatchResponse(results.stream().filter(r -> r.outcome().handBack())
                .map(r -> new SQSBatchResponse.BatchItemFailure(r.messageId())).toList());
    }

    private static Duration timeLeft(Context context) {
        return context == null ? EngineConfig.NO_DEADLINE
                : Duration.ofMillis(context.getRemainingTimeInMillis()).minus(COMMAND_MARGIN);
    }

    static Delivery delivery(SQSEvent.SQSMessage m) {
        String count = m.getAttributes() == null ? null : m.getAttributes().get("ApproximateReceiveCount");
        return new Delivery(m.getMessageId(), m.getBody(), m.getReceiptHandle(), count == null ? 1 : Integer.parseInt(count));
    }
}
