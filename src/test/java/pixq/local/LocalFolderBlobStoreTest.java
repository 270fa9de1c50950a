package pixq.local;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.BlobStore;
import pixq.job.BlobStoreContract;

class LocalFolderBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path root;

    @Override
    protected BlobStore newStore() {
        return new LocalFolderBlobStore(root);
    }

    @Override
    protected String baseUri() {
        return root.toUri().toString();
    }
}
