package pixq.job;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A job's status record: its spec and where it stands. Immutable; each verb returns the next record
 * and refuses moves that {@link JobState} does not allow.
 */
public record Job(
        JobSpec spec,
        JobState state,
        int attempts,
        String lastError,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        List<String> outputs) {

    public Job {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    public static Job queued(JobSpec spec, Clock clock) {
        return new Job(spec, JobState.QUEUED, 0, null, clock.instant(), null, null, List.of());
    }

    public String id() {
        return spec.id();
    }

    public Job start(Clock clock) {
        return to(JobState.RUNNING, attempts + 1, lastError, clock.instant(), null, outputs);
    }

    public Job succeed(List<String> outputRefs, Clock clock) {
        return to(JobState.SUCCEEDED, attempts, null, startedAt, clock.instant(), outputRefs);
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
        return new Job(spec, state, attempts, lastError, createdAt, startedAt, finishedAt, outputRefs);
    }

    /**
     * Back to the queue after FAILED or CANCELED (python-rq's requeue), or after SUCCEEDED when its outputs
     * are gone; the attempt count restarts.
     */
    public Job requeue() {
        return to(JobState.QUEUED, 0, lastError, null, null, List.of());
    }

    private Job to(JobState next, int attempts, String error, Instant started, Instant finished, List<String> outs) {
        if (!state.canMoveTo(next)) {
            throw new IllegalTransitionException(id(), state, next);
        }
        return new Job(spec, next, attempts, error, createdAt, started, finished, outs);
    }
}
