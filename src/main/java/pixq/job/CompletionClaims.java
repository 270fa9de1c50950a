package pixq.job;

/**
 * Port: who writes a batch's manifest for one completion. A conditional write on the batch's record (the
 * embedded database's transaction; DynamoDB's condition), so that of two workers finishing a batch's last
 * two jobs at the same moment, exactly one writes the manifest and announces it.
 */
public interface CompletionClaims {

    /**
     * Claims completion {@code completion} of the batch: true for exactly one caller, false when it or a later
     * completion was claimed already.
     */
    boolean claim(String batchId, long completion);

    /** Gives a claim back (its manifest could not be written), so that the completion may be claimed again. */
    void release(String batchId, long completion);
}
