package pixq.worker;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import pixq.job.BlobException;
import pixq.job.BlobStore;

/** A blob store whose first {@code failures} reads fail retryably, as a throttled or timed-out S3 read does. */
final class ThrottledReads implements BlobStore {
    static final String REASON = "S3 is slow today";

    private final BlobStore real;
    private final AtomicInteger failuresLeft;

    ThrottledReads(BlobStore real, int failures) {
        this.real = real;
        this.failuresLeft = new AtomicInteger(failures);
    }

    @Override
    public byte[] read(String uri, long maxBytes) {
        if (failuresLeft.getAndDecrement() > 0) {
            throw new BlobException(REASON, true, null);
        }
        return real.read(uri, maxBytes);
    }

    @Override
    public boolean write(String uri, byte[] bytes, String contentType, String source) {
        return real.write(uri, bytes, contentType, source);
    }

    @Override
    public Optional<Stat> stat(String uri) {
        return real.stat(uri);
    }

    @Override
    public List<String> list(String prefixUri) {
        return real.list(prefixUri);
    }
}
