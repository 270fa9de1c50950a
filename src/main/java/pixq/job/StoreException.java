package pixq.job;

/** The job store or the queue could not be reached or answered an error: retryable by nature. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
