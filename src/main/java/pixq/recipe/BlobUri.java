package pixq.recipe;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Where a blob lives: a local file or an S3 object. It sits in the lowest room because recipes name blobs
 * too (a watermark), not only jobs. The two forms are written differently: a {@code file:} URI is
 * percent-encoded (as {@link Path#toUri()} writes it: "my%20photo.jpg"), an {@code s3://} URI holds the key
 * as it is ("my photo.jpg", and "%20" is three characters of the key).
 */
public sealed interface BlobUri {

    /** A local file, from a {@code file:} URI or a plain path. */
    record File(Path path) implements BlobUri {
        @Override
        public File child(String name) {
            return new File(path.resolve(name));
        }

        @Override
        public String display() {
            return path.toString();
        }

        /**
         * The file in this folder named as {@code source}'s name without its extension, then {@code suffix}, in the
         * source name's own bytes: a name that is not UTF-8 (Latin-1 "caf\xE9.jpg" from an old archive) reads as
         * U+FFFD in a Java string, and only its URI's percent-escapes still tell two such names apart.
         */
        public File childKeepingBytes(File source, String suffix) {
            String raw = source.path.toUri().getRawPath();
            String name = raw.substring(raw.lastIndexOf('/') + 1);
            int dot = name.lastIndexOf('.');
            String folder = path.toUri().getRawPath();
            return new File(Path.of(URI.create("file://" + folder + (folder.endsWith("/") ? "" : "/")
                    + (dot > 0 ? name.substring(0, dot) : name) + percentEncoded(suffix))));
        }

        /** Every byte of the text's UTF-8 but letters, digits and "-._~" as %XX. */
        private static String percentEncoded(String text) {
            StringBuilder out = new StringBuilder();
            for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xFF;
                if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                    out.append((char) c);
                } else {
                    out.append('%').append(String.format("%02X", c));
                }
            }
            return out.toString();
        }

        @Override
        public String toString() {
            return path.toUri().toString();
        }
    }

    /** An S3 object, or with a key ending in '/' (or empty) a prefix. */
    record S3(String bucket, String key) implements BlobUri {
        public S3 {
            if (bucket.isEmpty()) {
                throw new IllegalArgumentException("no bucket in s3://" + bucket + "/" + key);
            }
        }

        @Override
        public S3 child(String name) {
            return new S3(bucket, key.isEmpty() || key.endsWith("/") ? key + name : key + "/" + name);
        }

        @Override
        public String display() {
            return toString();
        }

        @Override
        public String toString() {
            return "s3://" + bucket + "/" + key;
        }
    }

    /**
     * Reads a {@code file:} URI (one that is not a valid URI, "file:/out/my photo.jpg" joined by hand, is
     * taken as written), an {@code s3://} URI or a plain path; refuses any other scheme.
     */
    static BlobUri parse(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("no blob name given");
        }
        if (uri.startsWith("s3://")) {
            String rest = uri.substring("s3://".length());
            int slash = rest.indexOf('/');
            return new S3(slash < 0 ? rest : rest.substring(0, slash), slash < 0 ? "" : rest.substring(slash + 1));
        }
        if (uri.startsWith("file:")) {
            try {
                return new File(Path.of(URI.create(uri)).toAbsolutePath().normalize());
            } catch (IllegalArgumentException e) {
                String rest = uri.substring("file:".length());
                return new File(Path.of(rest.startsWith("//") ? rest.substring(2) : rest).toAbsolutePath().normalize());
            }
        }
        if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]+://.*")) {
            throw new IllegalArgumentException("neither a local file nor an s3:// object: " + uri);
        }
        return new File(Path.of(uri).toAbsolutePath().normalize());
    }

    /** An S3 object's location, refusing anything else. */
    static S3 s3(String uri) {
        if (parse(uri) instanceof S3 s3) {
            return s3;
        }
        throw new IllegalArgumentException("not an s3:// URI: " + uri);
    }

    /** Whether the text names an object in one of these buckets. */
    static boolean inBuckets(String uri, Collection<String> buckets) {
        try {
            return parse(uri) instanceof S3 s3 && buckets.contains(s3.bucket());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether the text names a local file (a {@code file:} URI). */
    static boolean isFile(String uri) {
        return uri.startsWith("file:");
    }

    /** The last segment, decoded: the name a user sees. */
    default String fileName() {
        String shown = display();
        return shown.substring(shown.lastIndexOf('/') + 1);
    }

    /** The blob called {@code name} inside this folder or prefix, written this form's way. */
    BlobUri child(String name);

    /** As a person reads it: a local file as its path, an S3 object as s3://bucket/key. */
    String display();
}
