package pixq.local;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import pixq.job.BlobException;
import pixq.job.BlobStore;
import pixq.recipe.BlobUri;

/**
 * Buckets as folders, for {@code pixq serve}'s embedded backend: {@code s3://bucket/key} is the file
 * {@code ROOT/bucket/key}, so job messages, events and outputs name blobs exactly as on AWS. Reads and
 * writes stay inside the bucket's folder; listing follows S3's string prefixes ({@code incoming/ca}
 * matches {@code incoming/cat.jpg}).
 */
public final class BucketFolders implements BlobStore {
    private final Path root;
    private final LocalFolderBlobStore files;

    public BucketFolders(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.files = new LocalFolderBlobStore(this.root);
    }

    /** The folder that holds a bucket's objects. */
    public Path bucket(String name) {
        return root.resolve(name);
    }

    @Override
    public byte[] read(String uri, long maxBytes) {
        return files.read(path(uri).toString(), maxBytes);
    }

    @Override
    public boolean write(String uri, byte[] bytes, String contentType, String source) {
        return files.write(path(uri).toString(), bytes, contentType, source);
    }

    @Override
    public Optional<Stat> stat(String uri) {
        return files.stat(path(uri).toString());
    }

    @Override
    public List<String> list(String prefixUri) {
        BlobUri.S3 at = s3(prefixUri);
        String prefix = at.key();
        Path folder = path(new BlobUri.S3(at.bucket(), prefix.substring(0, prefix.lastIndexOf('/') + 1)));
        Path bucketFolder = bucket(at.bucket());
        return files.list(folder.toString()).stream()
                .map(uri -> bucketFolder.relativize(LocalFolderBlobStore.pathOf(uri)).toString().replace('\\', '/'))
                .filter(key -> key.startsWith(prefix))
                .map(key -> new BlobUri.S3(at.bucket(), key).toString())
                .toList();
    }

    /** The object's file (a bucket's folder for {@code s3://bucket/}), refusing a key that would leave its bucket's folder ({@code ../}). */
    public Path path(String uri) {
        return path(s3(uri));
    }

    private Path path(BlobUri.S3 at) {
        Path folder = bucket(at.bucket());
        Path path = folder.resolve(at.key().replaceFirst("^/", "")).normalize();
        if (at.bucket().startsWith(".") || !path.startsWith(folder)) {
            throw new BlobException("refused " + at + ": the key leaves bucket " + at.bucket(), false, null);
        }
        return path;
    }

    private static BlobUri.S3 s3(String uri) {
        try {
            return BlobUri.s3(uri);
        } catch (IllegalArgumentException e) {
            throw new BlobException(e.getMessage(), false, null);
        }
    }
}
