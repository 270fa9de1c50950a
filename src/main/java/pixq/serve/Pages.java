package pixq.serve;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import pixq.job.BlobStore;
import pixq.job.JobQueue;
import pixq.job.JobStore;

/** The batch pages serve mounts on its own port, given what they read: a shell above serve supplies them. */
@FunctionalInterface
public interface Pages {
    /** Mounts the pages; returns their context, which serve guards as it guards its own. */
    HttpContext mount(HttpServer server, Backing backing);

    /**
     * The backend's records, queue and buckets, which blob URIs the pages may read (the two buckets'), and
     * the file behind a blob or folder URI when buckets are folders (empty on S3).
     */
    record Backing(JobStore jobs, JobQueue queue, BlobStore blobs, Predicate<String> servable, Function<String, Optional<Path>> files) {}
}
