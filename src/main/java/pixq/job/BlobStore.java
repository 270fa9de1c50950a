package pixq.job;

import java.util.List;

/** Port: the bytes of inputs and outputs, named by URI (s3://bucket/key, or file:/path for a local folder). */
public interface BlobStore {

    /** The blob's bytes; {@link BlobException.TooLarge} past maxBytes, before reading them all. */
    byte[] read(String uri, long maxBytes);

    void write(String uri, byte[] bytes, String contentType);

    /** The blob's size in bytes, without reading it; {@link BlobException.NotFound} when there is none. */
    long size(String uri);

    /** URIs of every blob under a prefix URI, in name order. */
    List<String> list(String prefixUri);
}
