package pixq.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import pixq.image.ImageEngine;
import pixq.job.Delivery;
import pixq.worker.BatchRunner;
import pixq.worker.ItemResult;
import pixq.worker.WorkerConfig;

/**
 * The worker function: an SQS batch in, the core {@link BatchRunner} over it, and the messages to
 * deliver again (retryable failures, jobs not started for lack of time) out as batch item failures.
 * Failed-for-good jobs are FAILED in the table and their messages deleted. Environment: TABLE_NAME,
 * MAX_RECEIVES, MAX_PIXELS, MAX_BYTES, JOB_LEASE_SECONDS, START_MARGIN_SECONDS.
 */
public final class WorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final BatchRunner runner;
    private final long marginMillis;

    /** Clients, engine and thread pool are built once per container, at init. */
    public WorkerHandler() {
        this(System::getenv, AwsConnection.fromEnv());
    }

    public WorkerHandler(Function<String, String> env, AwsConnection aws) {
        this(env, FunctionPorts.fromEnv(env, aws));
    }

    private WorkerHandler(Function<String, String> env, FunctionPorts ports) {
        this(env, ports, Engines.fromEnv(env, ports.blobs()));
    }

    public WorkerHandler(Function<String, String> env, AwsConnection aws, ImageEngine engine) {
        this(env, FunctionPorts.fromEnv(env, aws), engine);
    }

    private WorkerHandler(Function<String, String> env, FunctionPorts ports, ImageEngine engine) {
        WorkerConfig config = WorkerConfig.defaults()
                .withMaxReceives(Env.integer(env, "MAX_RECEIVES", 3))
                .withMaxBytes(Engines.maxBytes(env))
                .withLease(Duration.ofSeconds(Env.integer(env, "JOB_LEASE_SECONDS", 900)));
        this.runner = new BatchRunner(ports.store(), ports.blobs(), engine, config, Clock.systemUTC());
        this.marginMillis = Duration.ofSeconds(Env.integer(env, "START_MARGIN_SECONDS", 30)).toMillis();
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<Delivery> batch = event.getRecords().stream().map(WorkerHandler::delivery).toList();
        List<ItemResult> results = runner.run(batch, () -> context.getRemainingTimeInMillis() > marginMillis);
        JsonLog log = new JsonLog(System.out, Clock.systemUTC(), Map.of("requestId", context.getAwsRequestId()));
        results.forEach(r -> WorkerReport.log(log, r));
        WorkerReport.metrics(log, context.getFunctionName(), results);
        return new SQSBatchResponse(results.stream().filter(r -> r.outcome().handBack())
                .map(r -> new SQSBatchResponse.BatchItemFailure(r.messageId())).toList());
    }

    static Delivery delivery(SQSEvent.SQSMessage m) {
        String count = m.getAttributes() == null ? null : m.getAttributes().get("ApproximateReceiveCount");
        return new Delivery(m.getMessageId(), m.getBody(), m.getReceiptHandle(), count == null ? 1 : Integer.parseInt(count));
    }
}
