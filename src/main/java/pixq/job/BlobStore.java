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

    /**
     * Which version of the blob is stored (S3: its ETag; a file: its size and modification time), changed
     * by any replacement: a job is for one version of its input. Null when there is no such blob.
     */
    String version(String uri);

    /** URIs of every blob under a prefix URI, in name order. */
    List<String> list(String prefixUri);

    /**
     * One page of {@link #list} with each blob's {@link #version}: at most {@code max} blobs after the URI
     * {@code startAfter} (null: from the first), and whether more follow. S3 pages natively.
     */
    default Page page(String prefixUri, String startAfter, int max) {
        List<String> after = list(prefixUri).stream().filter(uri -> startAfter == null || uri.compareTo(startAfter) > 0).toList();
        List<Listed> listed = after.subList(0, Math.min(max, after.size())).stream().map(uri -> new Listed(uri, version(uri))).toList();
        return new Page(listed, after.size() > max);
    }

    record Listed(String uri, String version) {}

    record Page(List<Listed> blobs, boolean more) {}
}
