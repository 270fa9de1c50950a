package pixq.aws;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import pixq.job.BlobException;
import pixq.job.BlobStore;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Blobs in S3, named s3://bucket/key. */
public final class S3BlobStore implements BlobStore {
    private final S3Client s3;

    public S3BlobStore(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public byte[] read(String uri, long maxBytes) {
        S3Uri at = S3Uri.parse(uri);
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(at.bucket()).key(at.key()))) {
            Long size = in.response().contentLength();
            if (size != null && size > maxBytes) {
                in.abort(); // don't drain the rest of a huge object just to close the connection
                throw new BlobException.TooLarge(uri, size, maxBytes);
            }
            return readAtMost(in, uri, maxBytes);
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            throw new BlobException.NotFound(uri);
        } catch (SdkException e) {
            throw translate("read", uri, e);
        } catch (IOException e) {
            throw new BlobException("reading " + uri + " failed: " + e.getMessage(), true, e);
        }
    }

    private static byte[] readAtMost(InputStream in, String uri, long maxBytes) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw new BlobException.TooLarge(uri, bytes.length, maxBytes);
        }
        return bytes;
    }

    @Override
    public void write(String uri, byte[] bytes, String contentType) {
        S3Uri at = S3Uri.parse(uri);
        try {
            s3.putObject(b -> b.bucket(at.bucket()).key(at.key()).contentType(contentType), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw translate("write", uri, e);
        }
    }

    @Override
    public long size(String uri) {
        S3Uri at = S3Uri.parse(uri);
        try {
            return s3.headObject(b -> b.bucket(at.bucket()).key(at.key())).contentLength();
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            throw new BlobException.NotFound(uri);
        } catch (SdkException e) {
            throw translate("size of", uri, e);
        }
    }

    @Override
    public List<String> list(String prefixUri) {
        S3Uri at = S3Uri.parse(prefixUri);
        try {
            return s3.listObjectsV2Paginator(b -> b.bucket(at.bucket()).prefix(at.key())).contents().stream()
                    .map(o -> new S3Uri(at.bucket(), o.key()).toString())
                    .sorted()
                    .toList();
        } catch (NoSuchBucketException e) {
            throw new BlobException("no such bucket: " + at.bucket(), false, e);
        } catch (SdkException e) {
            throw translate("list", prefixUri, e);
        }
    }

    /** Throttling, server errors and lost connections may pass; denied access or a bad request will not. */
    private static BlobException translate(String verb, String uri, SdkException e) {
        boolean retryable = e instanceof SdkClientException || e.retryable()
                || (e instanceof S3Exception s && (s.statusCode() >= 500 || s.statusCode() == 429 || s.isThrottlingException()));
        return new BlobException(verb + " " + uri + " failed: " + e.getMessage(), retryable, e);
    }
}
