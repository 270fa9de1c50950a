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

    /** Closing a target never fails a command that already did its work. */
    @Override
    void close();
}
