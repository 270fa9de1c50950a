package pixq.job;

/**
 * What a blob store says went wrong, in the port's own words: adapters translate their SDK's exceptions
 * into these at the edge. {@link #retryable()} tells the runner whether trying again may help.
 */
public class BlobException extends RuntimeException {
    private final boolean retryable;

    public BlobException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    public static final class NotFound extends BlobException {
        public NotFound(String uri) {
            super("no such input: " + uri, false, null);
        }
    }

    /** The output is already there, made from another input whose output has the same name. */
    public static final class Taken extends BlobException {
        public Taken(String uri, String source) {
            super("refusing to replace " + uri + ": it was made from " + source
                    + ", another input whose output has the same name (rename one of them)", false, null);
        }
    }

    /**
     * The disk the blob was to be written to is full: no job's own failure, and no retry of it helps until
     * space is freed, so a worker that meets it stops rather than fail job after job.
     */
    public static final class NoSpace extends BlobException {
        public NoSpace(String what, Throwable cause) {
            super("the output disk is full: " + what, true, cause);
        }
    }

    public static final class TooLarge extends BlobException {
        public TooLarge(String uri, long size, long max) {
            super("input is " + size + " bytes, over the limit of " + max + ": " + uri, false, null);
        }
    }
}
