package pixq.job;

import java.util.List;
import java.util.Optional;

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
     *
     * @return whether it replaced a blob of that name (told for every write with a source), so that no
     *     output is overwritten without a word
     */
    boolean write(String uri, byte[] bytes, String contentType, String source);

    /**
     * What is stored under exactly this name, without reading it: its size and its version (S3: the ETag; a
     * file: its size and modification time), which any replacement changes, so that a job is for one version
     * of its input. Empty when there is no such blob.
     */
    Optional<Stat> stat(String uri);

    record Stat(long size, String version) {}

    /** URIs of every blob under a prefix URI, in name order. */
    List<String> list(String prefixUri);

    /**
     * One page of {@link #list} with each blob's version: at most {@code max} blobs after the URI
     * {@code startAfter} (null: from the first), and whether more follow. S3 pages natively.
     */
    default Page page(String prefixUri, String startAfter, int max) {
        List<String> after = list(prefixUri).stream().filter(uri -> startAfter == null || uri.compareTo(startAfter) > 0).toList();
        List<Listed> listed = after.subList(0, Math.min(max, after.size())).stream().map(uri -> new Listed(uri, stat(uri).map(Stat::version).orElse(null))).toList();
        return new Page(listed, after.size() > max);
    }

    record Listed(String uri, String version) {}

    record Page(List<Listed> blobs, boolean more) {}
}
