package pixq.cli;

import pixq.job.JobQueue;
import pixq.job.JobStore;

/** The ports a command works on: the local state folder, or AWS. */
interface Target extends AutoCloseable {
    JobStore store();

    JobQueue queue();

    /** Closing a target never fails a command that already did its work. */
    @Override
    void close();
}
