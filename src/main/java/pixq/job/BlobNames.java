package pixq.job;

import java.net.URI;
import java.nio.file.Path;

/**
 * File names inside blob URIs. The two forms are written differently: a {@code file:} URI is
 * percent-encoded (as {@link Path#toUri()} writes it: "my%20photo.jpg"), an {@code s3://} URI holds the
 * key as it is ("my photo.jpg", and "%20" is three characters of the key).
 */
final class BlobNames {
    private BlobNames() {}

    /** The last segment of the URI, decoded: the name a user sees. */
    static String fileName(String uri) {
        String path = isFile(uri) ? localPath(uri) : uri;
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The URI of the file called {@code name} inside the folder URI, written the folder's way. */
    static String child(String folderUri, String name) {
        if (isFile(folderUri)) {
            return Path.of(localPath(folderUri)).resolve(name).toUri().toString();
        }
        return folderUri.endsWith("/") ? folderUri + name : folderUri + "/" + name;
    }

    private static boolean isFile(String uri) {
        return uri.startsWith("file:");
    }

    /** A file: URI's path; one that is not a valid URI ("file:/out/my photo.jpg", joined by hand) is taken as written. */
    private static String localPath(String uri) {
        try {
            return Path.of(URI.create(uri)).toString();
        } catch (IllegalArgumentException e) {
            String rest = uri.substring("file:".length());
            return rest.startsWith("//") ? rest.substring(2) : rest;
        }
    }
}
