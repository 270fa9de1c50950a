package pixq.aws;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import pixq.job.BlobStore;
import pixq.job.BlobStoreContract;
import software.amazon.awssdk.services.s3.S3Client;

@ExtendWith(Moto.class)
class S3BlobStoreTest extends BlobStoreContract {
    private static S3Client s3;
    private static String bucket;

    @BeforeAll
    static void createBucket() {
        s3 = Moto.connection().s3();
        bucket = MotoResources.bucket(s3, "blobs");
    }

    @AfterAll
    static void close() {
        s3.close();
    }

    @Override
    protected BlobStore newStore() {
        return new S3BlobStore(s3);
    }

    @Override
    protected String baseUri() {
        return "s3://" + bucket + "/" + Moto.unique("t") + "/";
    }
}
