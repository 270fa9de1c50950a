package pixq.cli;

import pixq.job.BatchCompletion;
import pixq.job.JobQueue;
import pixq.job.JobStore;

/** The ports a command works on: the local state folder, or AWS. */
interface Target extends AutoCloseable {
    JobStore store();

    JobQueue queue();

    /** What finishes a batch whose last job a command ends (cancel): its manifest and its event. */
    BatchCompletion completion();

    /**
     * Whether no worker is alive on this target now, so that its QUEUED jobs wait for a command to resume
     * them: locally, no run, retry or serve holds the state's run lock; on AWS the worker function always runs.
     */
    default boolean unworked() {
        return false;
    }

    /** Closing a target never fails a command that already did its work. */
    @Override
    void close();
}
