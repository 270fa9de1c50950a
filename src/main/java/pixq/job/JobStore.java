package pixq.job;

import java.util.List;
import java.util.Optional;

/** Port: where the status records live (DynamoDB, or the embedded SQL database). */
public interface JobStore {

    /** Stores the jobs not stored yet and returns those; the rest were duplicates. */
    List<Job> insertNew(List<Job> jobs);

    Optional<Job> find(String id);

    /**
     * Replaces {@code previous} by {@code next} only if the stored record still has previous's state and
     * attempts (a conditional write); false when another worker or a cancel got there first.
     */
    boolean update(Job previous, Job next);

    /** Jobs of one batch (all batches when batchId is null), in one state or all (null), oldest first. */
    List<Job> list(String batchId, JobState state, int limit);

    /**
     * A page of one batch's jobs, in one state or all (null), oldest first, starting after the job
     * {@code afterId} (null: from the first): a page costs the same wherever it starts in the batch.
     *
     * @throws IllegalArgumentException when there is no job {@code afterId}
     */
    List<Job> listAfter(String batchId, JobState state, String afterId, int limit);

    /** The batch's jobs per state, kept up to date by every write, so reading it costs the same at any size. */
    BatchCounts counts(String batchId);

    /** Every batch's counts, oldest batch first. */
    List<BatchCounts> batches();
}
