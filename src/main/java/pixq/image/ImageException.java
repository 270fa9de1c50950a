package pixq.image;

/** The input image or the recipe is bad (corrupt, hostile, too large, unknown operation): a permanent failure. */
public class ImageException extends RuntimeException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Something the recipe names outside the image (a watermark's file) could not be read just now, a
     * throttled or timed-out read: not the image's fault, so the job is tried again rather than failed.
     */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The image needed more memory than the worker has: trying again on the same worker would not help. */
    public static ImageException outOfMemory(Throwable cause) {
        return new ImageException("out of memory processing the image (" + cause.getMessage() + "): lower the pixel limit"
                + " (--max-pixels, MAX_PIXELS on AWS) or give the worker more memory (PIXQ_JAVA_OPTS=-Xmx..., WorkerMemory)", cause);
    }
}
