package pixq.local;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.BlobException;
import pixq.job.BlobStore;
import pixq.job.BlobStoreContract;

/** Buckets as folders (pixq serve's embedded backend) keep the blob store contract, with s3:// names. */
class BucketFoldersTest extends BlobStoreContract {
    @TempDir
    Path root;

    @Override
    protected BlobStore newStore() {
        return new BucketFolders(root);
    }

    @Override
    protected String baseUri() {
        return "s3://pixq-input/" + UUID.randomUUID() + "/";
    }

    @Test
    void aKeyCannotLeaveItsBucket() {
        BucketFolders store = new BucketFolders(root);
        assertThrows(BlobException.class, () -> store.write("s3://pixq-input/../pixq-output/x.jpg", new byte[] {1}, "image/jpeg"));
        assertThrows(BlobException.class, () -> store.read("s3://pixq-input/../../etc/passwd", 100));
    }
}
