package pixq.serve;

import com.sun.net.httpserver.HttpServer;
import java.util.function.Predicate;
import pixq.job.BlobStore;
import pixq.job.JobQueue;
import pixq.job.JobStore;

/** The batch pages serve mounts on its own port, given what they read: a shell above serve supplies them. */
@FunctionalInterface
public interface Pages {
    void mount(HttpServer server, Backing backing);

    /** The backend's records, queue and buckets, and which blob URIs the pages may read (the two buckets'). */
    record Backing(JobStore jobs, JobQueue queue, BlobStore blobs, Predicate<String> servable) {}
}
