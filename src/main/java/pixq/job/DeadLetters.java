package pixq.job;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * What happens to a job whose message the queue gave up on (dead-lettered after its maximum receives):
 * its record ends FAILED with the reason, unless a worker ended it first. Used by the embedded queue as it
 * dead-letters, and by the function that consumes the dead-letter queue on AWS.
 */
public final class DeadLetters {
    private static final int TRIES = 5;
    /** Every reason of a job the queue gave up on says so (the manifest's error kind tells them apart by it). */
    public static final String MARK = "dead-lettered";

    private DeadLetters() {}

    /** Ends the message's job FAILED; returns the record as it now stands (empty for an unreadable message). */
    public static Optional<Job> fail(JobStore store, String body, int receives, Clock clock) {
        JobSpec spec;
        try {
            spec = JobSpec.fromJson(body);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String reason = MARK + " after " + receives + " receives: the worker timed out or crashed";
        for (int i = 0; i < TRIES; i++) {
            Optional<Job> found = store.find(spec.id());
            Job current = found.orElseGet(() -> Job.queued(spec, clock));
            if (current.state().isFinished()) {
                return Optional.of(current);
            }
            Job failed = current.fail(current.lastError() == null ? reason : reason + " (last error: " + current.lastError() + ")", clock);
            boolean written = found.isEmpty() ? !store.insertNew(List.of(failed)).isEmpty() : store.update(current, failed);
            if (written) {
                return Optional.of(failed);
            }
        }
        throw new StoreException("could not record job " + spec.id() + " as dead-lettered: its record kept changing", null);
    }
}
