package pixq.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import pixq.image.ImageException;
import pixq.job.BlobException;
import pixq.job.Job;
import pixq.recipe.BlobUri;

/**
 * A job's blobs as the pages show them, addressed by index: the input (0) and the outputs (1..n). Only what
 * the record names, inside the configured scope, is read; never a path from the request.
 */
final class JobBlobs {
    private static final Map<String, String> IMAGE_TYPES = Map.of(
            "jpg", "image/jpeg", "jpeg", "image/jpeg", "png", "image/png", "webp", "image/webp", "gif", "image/gif",
            "bmp", "image/bmp", "tif", "image/tiff", "tiff", "image/tiff", "avif", "image/avif");

    /** A blob's bytes, and its media type when it is a known image. */
    record Image(byte[] bytes, Optional<String> type) {}

    private final WebConsole.Sources sources;
    private final Thumbnails thumbnails;
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();

    JobBlobs(WebConsole.Sources sources) {
        this.sources = sources;
        this.thumbnails = new Thumbnails(sources.blobs(), sources.engine(), sources.maxBytes());
    }

    /** A JPEG preview of the job's blob {@code index}. */
    byte[] thumbnail(Job job, int index) throws InterruptedException {
        String uri = servable(job, index);
        try {
            return thumbnails.of(uri, version(job));
        } catch (ImageException | BlobException e) {
            throw new NotFound("no preview of " + name(uri) + ": " + e.getMessage());
        }
    }

    /** The job's blob {@code index} as it is stored. */
    Image image(Job job, int index) {
        String uri = servable(job, index);
        try {
            return new Image(sources.blobs().read(uri, sources.maxBytes()), imageType(uri));
        } catch (BlobException e) {
            throw new NotFound(e.getMessage());
        }
    }

    /** A blob's size in bytes (-1 when it cannot be read), remembered per version. */
    long size(String uri, String version) {
        if (sizes.size() > 200_000) {
            sizes.clear();
        }
        return sizes.computeIfAbsent(uri + "\n" + version, k -> {
            try {
                return sources.blobs().stat(uri).orElseThrow(() -> new BlobException.NotFound(uri)).size();
            } catch (BlobException e) {
                return -1L;
            }
        });
    }

    /** The input (index 0) and the outputs (1..n) of a job. */
    static List<String> of(Job job) {
        List<String> uris = new ArrayList<>();
        uris.add(job.spec().input());
        uris.addAll(job.outputs());
        return uris;
    }

    /** Changes whenever the job's blobs may have been rewritten (its finish time), so nothing stale is shown. */
    static String version(Job job) {
        Instant at = job.finishedAt() != null ? job.finishedAt() : job.createdAt();
        return at == null ? "0" : Long.toString(at.toEpochMilli());
    }

    /** A URI as a person reads it: a local file as its path, an S3 object as s3://bucket/key. */
    static String display(String uri) {
        return part(uri, BlobUri::display);
    }

    static String name(String uri) {
        return part(uri, BlobUri::fileName);
    }

    /** A part of a blob URI; a record may name what is no blob URI, shown as it is. */
    private static String part(String uri, Function<BlobUri, String> part) {
        try {
            return part.apply(BlobUri.parse(uri));
        } catch (IllegalArgumentException e) {
            return uri;
        }
    }

    static Optional<String> imageType(String uri) {
        String name = name(uri);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? Optional.empty() : Optional.ofNullable(IMAGE_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)));
    }

    /**
     * Only what the record names, inside the scope: the input inside its bucket (a file input inside its
     * folder), an output inside its job's output folder; a file only when it is a regular file whose real
     * path stays in that folder, so no link (the blob itself, or a folder on its way) leads out of it.
     */
    private String servable(Job job, int index) {
        List<String> uris = of(job);
        String uri = index < uris.size() ? uris.get(index) : null;
        String folder = uri == null ? null : index == 0 ? inputFolder(uri) : job.spec().output();
        if (uri == null || !sources.servable().test(uri) || !inside(uri, folder) || !realFileInside(uri, folder)) {
            throw new NotFound("no image " + index + " for job " + job.id());
        }
        return uri;
    }

    /** An input's folder: its bucket for an object (s3://b/k), its own folder for a file. */
    private static String inputFolder(String uri) {
        return BlobUri.parse(uri) instanceof BlobUri.S3 s3 ? new BlobUri.S3(s3.bucket(), "").toString()
                : uri.substring(0, uri.lastIndexOf('/') + 1);
    }

    private boolean realFileInside(String uri, String folder) {
        Optional<Path> file = sources.files().apply(uri);
        if (file.isEmpty()) {
            return true;
        }
        try {
            Path real = file.get().toRealPath();
            Path root = sources.files().apply(folder).orElseThrow().toRealPath();
            return Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) && real.startsWith(root) && !real.equals(root);
        } catch (IOException | java.util.NoSuchElementException | BlobException e) {
            return false;
        }
    }

    private static boolean inside(String uri, String folder) {
        if (folder == null || folder.isEmpty()) {
            return false;
        }
        String prefix = folder.endsWith("/") ? folder : folder + "/";
        return uri.startsWith(prefix) && !uri.substring(prefix.length()).matches("(?s)(.*/)?\\.\\.?(/.*)?");
    }
}
