package pixq.aws;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pixq.job.BlobException;
import pixq.job.BlobStore;
import pixq.recipe.BlobUri;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Blobs in S3, named s3://bucket/key. */
public final class S3BlobStore implements BlobStore {
    /** User metadata naming the input an output was made from (x-amz-meta-pixq-source). */
    private static final String SOURCE_KEY = "pixq-source";
    private final S3Client s3;

    public S3BlobStore(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public byte[] read(String uri, long maxBytes) {
        BlobUri.S3 at = BlobUri.s3(uri);
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

    /**
     * The source goes in the object's metadata, URL-encoded (metadata is ASCII). The put is conditional on
     * what was looked at (absent, or that ETag), so two workers writing one key at once cannot both pass the
     * check: the loser looks again.
     */
    @Override
    public boolean write(String uri, byte[] bytes, String contentType, String source) {
        BlobUri.S3 at = BlobUri.s3(uri);
        for (int attempt = 1; ; attempt++) {
            Optional<HeadObjectResponse> existing = source == null ? Optional.empty() : head(uri);
            String other = existing.map(h -> h.metadata().get(SOURCE_KEY)).map(v -> URLDecoder.decode(v, StandardCharsets.UTF_8)).orElse(null);
            if (other != null && !other.equals(source)) {
                throw new BlobException.Taken(uri, other);
            }
            try {
                s3.putObject(b -> {
                    b.bucket(at.bucket()).key(at.key()).contentType(contentType);
                    if (source != null) {
                        b.metadata(Map.of(SOURCE_KEY, URLEncoder.encode(source, StandardCharsets.UTF_8)));
                        existing.ifPresentOrElse(h -> b.ifMatch(h.eTag()), () -> b.ifNoneMatch("*"));
                    }
                }, RequestBody.fromBytes(bytes));
                return existing.isPresent();
            } catch (S3Exception e) {
                if (e.statusCode() != 412 || attempt == 3) {
                    throw translate("write", uri, e);
                }
            } catch (SdkException e) {
                throw translate("write", uri, e);
            }
        }
    }

    /** The version is the ETag, without the quotes listings put around it and events do not: one form for both. */
    @Override
    public Optional<Stat> stat(String uri) {
        return head(uri).map(h -> new Stat(h.contentLength(), unquoted(h.eTag())));
    }

    @Override
    public Page page(String prefixUri, String startAfter, int max) {
        BlobUri.S3 at = BlobUri.s3(prefixUri);
        String after = startAfter == null ? null : BlobUri.s3(startAfter).key();
        try {
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(at.bucket()).prefix(at.key()).startAfter(after).maxKeys(max));
            return new Page(page.contents().stream().map(o -> new Listed(new BlobUri.S3(at.bucket(), o.key()).toString(), unquoted(o.eTag()))).toList(),
                    Boolean.TRUE.equals(page.isTruncated()));
        } catch (NoSuchBucketException e) {
            throw new BlobException("no such bucket: " + at.bucket(), false, e);
        } catch (SdkException e) {
            throw translate("list", prefixUri, e);
        }
    }

    static String unquoted(String eTag) {
        return eTag == null ? null : eTag.replace("\"", "");
    }

    private Optional<HeadObjectResponse> head(String uri) {
        BlobUri.S3 at = BlobUri.s3(uri);
        try {
            return Optional.of(s3.headObject(b -> b.bucket(at.bucket()).key(at.key())));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw translate("look up", uri, e);
        } catch (SdkException e) {
            throw translate("look up", uri, e);
        }
    }

    @Override
    public List<String> list(String prefixUri) {
        BlobUri.S3 at = BlobUri.s3(prefixUri);
        try {
            return s3.listObjectsV2Paginator(b -> b.bucket(at.bucket()).prefix(at.key())).contents().stream()
                    .map(o -> new BlobUri.S3(at.bucket(), o.key()).toString())
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
