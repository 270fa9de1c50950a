package pixq.job;

/** A verb was called on a job whose state does not allow it. */
public final class IllegalTransitionException extends IllegalStateException {
    IllegalTransitionException(String jobId, JobState from, JobState to) {
        super("job " + jobId + " cannot move from " + from + " to " + to);
    }
}
