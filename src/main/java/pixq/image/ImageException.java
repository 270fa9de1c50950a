package pixq.image;

/** The input image or the recipe is bad (corrupt, hostile, too large, unknown operation): a permanent failure. */
public class ImageException extends RuntimeException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
