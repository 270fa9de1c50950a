package pixq.aws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import pixq.job.ManifestSink;
import pixq.recipe.BlobUri;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Manifests as objects in the output bucket under the reserved prefix {@value #PREFIX}: {@code
 * s3://OUTPUT/_pixq/manifests/BATCH.jsonl}. Streamed: a manifest up to one part (8 MiB) is one PutObject, a
 * longer one a multipart upload of 8 MiB parts, aborted if the content fails (the earlier manifest stays).
 * Nothing else pixq writes or reads starts with {@value #RESERVED}: the submit function refuses inputs there,
 * so no output folder (an input's folder) and no dropped-file trigger can reach it.
 */
public final class S3Manifests implements ManifestSink {
    /** pixq's own keys in a bucket. */
    public static final String RESERVED = "_pixq/";
    public static final String PREFIX = RESERVED + "manifests/";
    static final int PART_BYTES = 8 << 20;
    private static final String CONTENT_TYPE = "application/x-ndjson";

    private final S3Client s3;

    public S3Manifests(S3Client s3) {
        this.s3 = s3;
    }

    /** Whether an s3:// URI is under pixq's reserved prefix. */
    public static boolean reserved(String uri) {
        return BlobUri.s3(uri).key().startsWith(RESERVED);
    }

    @Override
    public String location(String batchId, String outputFolder) {
        return new BlobUri.S3(BlobUri.s3(outputFolder).bucket(), PREFIX + ManifestSink.fileName(batchId)).toString();
    }

    /** The batch's manifest in the output bucket, to read; empty when there is none (yet). */
    public static Optional<InputStream> open(S3Client s3, String outputBucket, String batchId) {
        try {
            return Optional.of(s3.getObject(b -> b.bucket(outputBucket).key(PREFIX + ManifestSink.fileName(batchId))));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    @Override
    public void write(String location, Content content) throws IOException {
        BlobUri.S3 at = BlobUri.s3(location);
        try (Upload upload = new Upload(at)) {
            content.writeTo(upload);
            upload.complete();
        } catch (SdkException e) {
            throw new IOException("could not write " + location + ": " + e.getMessage(), e);
        }
    }

    /** An output stream sending a part whenever {@link #PART_BYTES} have gathered; aborted unless completed. */
    private final class Upload extends OutputStream {
        private final BlobUri.S3 at;
        private final ByteArrayOutputStream part = new ByteArrayOutputStream();
        private final List<CompletedPart> parts = new ArrayList<>();
        private String uploadId;
        private boolean completed;

        Upload(BlobUri.S3 at) {
            this.at = at;
        }

        @Override
        public void write(int b) {
            part.write(b);
            sendIfFull();
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            part.write(bytes, offset, length);
            sendIfFull();
        }

        private void sendIfFull() {
            if (part.size() >= PART_BYTES) {
                sendPart();
            }
        }

        private void sendPart() {
            if (uploadId == null) {
                uploadId = s3.createMultipartUpload(b -> b.bucket(at.bucket()).key(at.key()).contentType(CONTENT_TYPE)).uploadId();
            }
            int number = parts.size() + 1;
            String eTag = s3.uploadPart(b -> b.bucket(at.bucket()).key(at.key()).uploadId(uploadId).partNumber(number),
                    RequestBody.fromBytes(part.toByteArray())).eTag();
            parts.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
            part.reset();
        }

        void complete() {
            if (uploadId == null) {
                s3.putObject(b -> b.bucket(at.bucket()).key(at.key()).contentType(CONTENT_TYPE), RequestBody.fromBytes(part.toByteArray()));
            } else {
                if (part.size() > 0) {
                    sendPart();
                }
                s3.completeMultipartUpload(b -> b.bucket(at.bucket()).key(at.key()).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(parts)));
            }
            completed = true;
        }

        @Override
        public void close() {
            if (!completed && uploadId != null) {
                try {
                    s3.abortMultipartUpload(b -> b.bucket(at.bucket()).key(at.key()).uploadId(uploadId));
                } catch (SdkException e) {
                    // an upload left incomplete costs its parts' storage until aborted; the manifest's own error is the one to report
                }
            }
        }
    }
}
