package pixq.job;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** The life of a job. Every legal move is in {@link #NEXT}; {@link Job}'s verbs refuse the rest. */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELED;

    private static final Map<JobState, Set<JobState>> NEXT = Map.of(
            QUEUED, EnumSet.of(RUNNING, CANCELED),
            // RUNNING -> RUNNING: the lease ran out (worker killed) and another worker took the job over.
            // RUNNING -> QUEUED: a retryable failure; the queue delivers the job again.
            RUNNING, EnumSet.of(RUNNING, SUCCEEDED, FAILED, QUEUED, CANCELED),
            // SUCCEEDED -> QUEUED: its outputs are gone; the job runs again to write them.
            SUCCEEDED, EnumSet.of(QUEUED),
            FAILED, EnumSet.of(QUEUED),
            CANCELED, EnumSet.of(QUEUED));

    public boolean canMoveTo(JobState next) {
        return NEXT.get(this).contains(next);
    }

    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELED;
    }
}
