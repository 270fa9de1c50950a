package pixq.worker;

/** How one item of a batch ended. */
public enum Outcome {
    /** Ran and wrote its outputs. */
    SUCCEEDED,
    /** Already finished or canceled: a redelivery, nothing to do. */
    SKIPPED,
    /** Failed for good (bad input, bad recipe): retrying would not help. */
    FAILED,
    /** Failed for now (I/O trouble, busy elsewhere): deliver it again. */
    RETRY,
    /** Failed for now on its last allowed receive: marked FAILED, the message goes to the dead-letter queue. */
    DEAD_LETTERED,
    /** Not started because time ran short. */
    NOT_STARTED,
    /**
     * Not finished because this worker cannot go on (its output disk is full): the job is queued again, its
     * message handed back without counting the receive, and the worker stops until the user frees space.
     */
    STOPPED;

    /** True when this run brought the job to an end (a skip was already ended by an earlier one). */
    public boolean finishesJob() {
        return this == SUCCEEDED || this == FAILED || this == DEAD_LETTERED;
    }

    /** True when the message must be delivered again (Lambda: reported as a batch item failure). */
    public boolean handBack() {
        return this == RETRY || this == DEAD_LETTERED || this == NOT_STARTED || this == STOPPED;
    }
}
