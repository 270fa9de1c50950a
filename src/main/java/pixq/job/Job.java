package pixq.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A job's status record: its spec and where it stands. Immutable; each verb returns the next record
 * and refuses moves that {@link JobState} does not allow. A RUNNING job belongs to its worker until
 * {@code leaseUntil}, which the worker pushes on while it runs; past it, another worker may take it over.
 * The stores write a record only if it still is the one the writer read, lease end included.
 * {@code sentAt} says when the job's message was last sent (null: not known to be sent), so that
 * submitting again sends no second message while the first may still be in the queue. {@code replaced} counts
 * the outputs its success wrote over blobs of their names (earlier outputs of the same input): never silently.
 */
public record Job(
        JobSpec spec,
        JobState state,
        int attempts,
        String lastError,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        List<String> outputs,
        Instant leaseUntil,
        Instant sentAt,
        int replaced) {

    public Job {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    public static Job queued(JobSpec spec, Clock clock) {
        return new Job(spec, JobState.QUEUED, 0, null, clock.instant(), null, null, List.of(), null, null, 0);
    }

    public String id() {
        return spec.id();
    }

    /** Another attempt, leased to its worker for {@code lease}. */
    public Job start(Clock clock, Duration lease) {
        Instant now = clock.instant();
        return to(JobState.RUNNING, attempts + 1, lastError, now, null, outputs, now.plus(lease), sentAt, replaced);
    }

    /** Still running: the worker keeps it for {@code lease} from now. */
    public Job extendLease(Clock clock, Duration lease) {
        if (state != JobState.RUNNING) {
            throw new IllegalTransitionException(id(), state, JobState.RUNNING);
        }
        return new Job(spec, state, attempts, lastError, createdAt, startedAt, finishedAt, outputs, clock.instant().plus(lease), sentAt, replaced);
    }

    /** Its message was just sent. */
    public Job sent(Clock clock) {
        return new Job(spec, state, attempts, lastError, createdAt, startedAt, finishedAt, outputs, leaseUntil, clock.instant(), replaced);
    }

    /** Whether a RUNNING job's lease has run out (its worker died or lost it): another worker may take it over. */
    public boolean leaseExpired(Clock clock) {
        return state == JobState.RUNNING && (leaseUntil == null || !leaseUntil.isAfter(clock.instant()));
    }

    /** @param replaced how many of the outputs replaced blobs of their names */
    public Job succeed(List<String> outputRefs, int replaced, Clock clock) {
        return to(JobState.SUCCEEDED, attempts, null, startedAt, clock.instant(), outputRefs, null, sentAt, replaced);
    }

    public Job fail(String reason, Clock clock) {
        return to(JobState.FAILED, attempts, reason, startedAt, clock.instant(), outputs);
    }

    /** A retryable failure: back to the queue, the reason kept for whoever looks. */
    public Job retryLater(String reason) {
        return to(JobState.QUEUED, attempts, reason, startedAt, null, outputs);
    }

    public Job cancel(Clock clock) {
        return to(JobState.CANCELED, attempts, lastError, startedAt, clock.instant(), outputs);
    }

    /** A job canceled while it ran keeps a record of the outputs its run wrote anyway; it stays CANCELED. */
    public Job keepOutputs(List<String> outputRefs) {
        if (state != JobState.CANCELED) {
            throw new IllegalTransitionException(id(), state, JobState.CANCELED);
        }
        return new Job(spec, state, attempts, lastError, createdAt, startedAt, finishedAt, outputRefs, leaseUntil, sentAt, replaced);
    }

    /**
     * Back to the queue after FAILED or CANCELED (python-rq's requeue), or after SUCCEEDED when its outputs
     * are gone; the attempt count restarts. Its last message was spent, so it has none until one is sent
     * ({@link #sent}): a requeue stopped before sending leaves a job that submitting again sends.
     */
    public Job requeue() {
        return to(JobState.QUEUED, 0, lastError, null, null, List.of(), null, null, 0);
    }

    private Job to(JobState next, int attempts, String error, Instant started, Instant finished, List<String> outs) {
        return to(next, attempts, error, started, finished, outs, null, sentAt, replaced);
    }

    private Job to(JobState next, int attempts, String error, Instant started, Instant finished, List<String> outs, Instant lease,
                   Instant sent, int replacedOutputs) {
        if (!state.canMoveTo(next)) {
            throw new IllegalTransitionException(id(), state, next);
        }
        return new Job(spec, next, attempts, error, createdAt, started, finished, outs, lease, sent, replacedOutputs);
    }
}
