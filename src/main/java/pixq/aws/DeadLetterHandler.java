package pixq.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import pixq.job.BatchCompletion;
import pixq.job.DeadLetters;
import pixq.job.Job;
import pixq.job.JobStore;
import pixq.job.JobQueue;

/**
 * The dead-letter function: every message SQS dead-letters (its worker timed out, ran out of memory or
 * crashed MAX_RECEIVES times without recording an end) ends its job FAILED with that reason at once, so
 * {@code pixq status} and {@code pixq failures} show it; the message then moves to the dead-letter archive,
 * where {@code pixq redrive} finds it. A message it could not settle stays in the dead-letter queue (a batch
 * item failure) and comes round again. Environment: TABLE_NAME, ARCHIVE_QUEUE_URL, MAX_RECEIVES (or the
 * ports of an emulator's {@link FunctionPorts.Provider}, which keeps the archive its own way).
 */
public final class DeadLetterHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final JobStore store;
    /** A job failed here may be its batch's last: then the batch's manifest is written and its end announced. */
    private final BatchCompletion completion;
    private final FunctionPorts.DeadLetterArchive archive;
    private final int maxReceives;
    private final Clock clock;

    /** Clients are built once per container, at init. */
    public DeadLetterHandler() {
        this(System::getenv, AwsConnection.fromEnv());
    }

    public DeadLetterHandler(Function<String, String> env, AwsConnection aws) {
        FunctionPorts ports = FunctionPorts.fromEnv(env, aws);
        this.store = ports.store();
        this.completion = ports.completion().get();
        this.archive = ports.deadLetterArchive().get();
        if (archive == null) {
            throw new IllegalStateException("these ports keep no dead-letter archive");
        }
        this.maxReceives = Env.integer(env, "MAX_RECEIVES", JobQueue.DEFAULT_MAX_RECEIVES);
        this.clock = Clock.systemUTC();
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        JsonLog log = new JsonLog(System.out, clock, Map.of("requestId", context.getAwsRequestId()));
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            Map<String, Object> fields = new LinkedHashMap<>(Map.of("messageId", message.getMessageId()));
            try {
                // Unreadable messages are archived too: pixq redrive reports them rather than losing them.
                DeadLetters.fail(store, message.getBody(), maxReceives, clock).ifPresent((Job job) -> {
                    fields.put("jobId", job.id());
                    fields.put("batchId", job.spec().batchId());
                    fields.put("state", job.state().name());
                    if (completion != null) {
                        completion.jobFinished(job.spec().batchId());
                    }
                });
                archive.keep(message.getMessageId(), message.getBody(), maxReceives);
                log.info("dead letter settled", fields);
            } catch (RuntimeException e) {
                fields.put("error", String.valueOf(e.getMessage()));
                log.error("dead letter not settled; it will come round again", fields);
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }
}
