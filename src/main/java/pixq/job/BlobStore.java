package pixq.job;

import java.util.List;

/** Port: the bytes of inputs and outputs, named by URI (s3://bucket/key, or file:/path for a local folder). */
public interface BlobStore {

    /** The blob's bytes; {@link BlobException.TooLarge} past maxBytes, before reading them all. */
    byte[] read(String uri, long maxBytes);

    /** Writes the blob, replacing whatever is there. */
    default void write(String uri, byte[] bytes, String contentType) {
        write(uri, bytes, contentType, null);
    }

    /**
     * Writes the blob and records with it the {@code source} it was made from (a job's input), or nothing
     * when null. Refuses, with {@link BlobException.Taken}, to replace a blob recorded with another source:
     * two inputs never share one output, whichever came first. (Where a file system cannot record it, the
     * check is skipped.)
     */
    void write(String uri, byte[] bytes, String contentType, String source);

    /** Whether a blob is stored under exactly this name. */
    boolean exists(String uri);

    /** URIs of every blob under a prefix URI, in name order. */
    List<String> list(String prefixUri);
}
