package pixq.job;

import java.util.List;

/** Port: the bytes of inputs and outputs, named by URI (s3://bucket/key, or file:/path for a local folder). */
public interface BlobStore {

    /** The blob's bytes; {@link BlobException.TooLarge} past maxBytes, before reading them all. */
    byte[] read(String uri, long maxBytes);

    void write(String uri, byte[] bytes, String contentType);

    /** URIs of every blob under a prefix URI, in name order. */
    List<String> list(String prefixUri);

    /**
     * One page of {@link #list}: at most {@code max} URIs after {@code startAfter} (null: from the first),
     * and whether more follow. Stores that page natively (S3) override it.
     */
    default Page page(String prefixUri, String startAfter, int max) {
        List<String> after = list(prefixUri).stream().filter(uri -> startAfter == null || uri.compareTo(startAfter) > 0).toList();
        return new Page(after.subList(0, Math.min(max, after.size())), after.size() > max);
    }

    record Page(List<String> uris, boolean more) {}
}
