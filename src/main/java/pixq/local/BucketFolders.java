package pixq.local;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import pixq.job.BlobException;
import pixq.job.BlobStore;

/**
 * Buckets as folders, for {@code pixq serve}'s embedded backend: {@code s3://bucket/key} is the file
 * {@code ROOT/bucket/key}, so job messages, events and outputs name blobs exactly as on AWS. Reads and
 * writes stay inside the bucket's folder; listing follows S3's string prefixes ({@code incoming/ca}
 * matches {@code incoming/cat.jpg}).
 */
public final class BucketFolders implements BlobStore {
    private static final String SCHEME = "s3://";
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
    public void write(String uri, byte[] bytes, String contentType, String source) {
        files.write(path(uri).toString(), bytes, contentType, source);
    }

    @Override
    public Optional<Stat> stat(String uri) {
        return files.stat(path(uri).toString());
    }

    @Override
    public List<String> list(String prefixUri) {
        String bucket = bucketOf(prefixUri);
        String prefix = prefixUri.substring(SCHEME.length() + bucket.length()).replaceFirst("^/", "");
        Path folder = path(SCHEME + bucket + "/" + prefix.substring(0, prefix.lastIndexOf('/') + 1));
        Path bucketFolder = bucket(bucket);
        return files.list(folder.toString()).stream()
                .map(uri -> bucketFolder.relativize(LocalFolderBlobStore.pathOf(uri)).toString().replace('\\', '/'))
                .filter(key -> key.startsWith(prefix))
                .map(key -> SCHEME + bucket + "/" + key)
                .toList();
    }

    /** The object's file (a bucket's folder for {@code s3://bucket/}), refusing a key that would leave its bucket's folder ({@code ../}). */
    public Path path(String uri) {
        String bucket = bucketOf(uri);
        Path folder = bucket(bucket);
        Path path = folder.resolve(uri.substring(SCHEME.length() + bucket.length()).replaceFirst("^/", "")).normalize();
        if (!path.startsWith(folder)) {
            throw new BlobException("refused " + uri + ": the key leaves bucket " + bucket, false, null);
        }
        return path;
    }

    private static String bucketOf(String uri) {
        if (uri == null || !uri.startsWith(SCHEME)) {
            throw new BlobException("not an s3:// URI: " + uri, false, null);
        }
        String rest = uri.substring(SCHEME.length());
        String bucket = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
        if (bucket.isEmpty() || bucket.startsWith(".")) {
            throw new BlobException("no bucket in " + uri, false, null);
        }
        return bucket;
    }
}
