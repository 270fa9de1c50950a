package pixq.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Predicate;
import pixq.aws.S3BlobStore;
import pixq.image.ImageEngine;
import pixq.image.OpenCvImageEngine;
import pixq.job.BlobStore;
import pixq.job.JobSpec;
import pixq.local.LocalFolderBlobStore;

/**
 * {@code pixq status --web}: the {@link WebConsole} pages on their own server, over the local state
 * folder or a stack. Locally, retried jobs are processed here in the background, as {@code pixq retry}
 * would; on AWS the worker function picks them up.
 */
final class WebStatus implements AutoCloseable {
    private final HttpServer server;
    private final Target target;
    private final ExecutorService retries;

    private WebStatus(HttpServer server, Target target, ExecutorService retries) {
        this.server = server;
        this.target = target;
        this.retries = retries;
    }

    static WebStatus start(TargetOptions options, WorkOptions work, String bind, int port) throws IOException {
        Target target = options.open();
        try {
            // Without TCP_NODELAY every small answer waits ~40 ms for a delayed ACK (read once, at the first server).
            System.setProperty("sun.net.httpserver.nodelay", "true");
            HttpServer server;
            try {
                server = HttpServer.create(new InetSocketAddress(bind, port), 0);
            } catch (java.net.BindException e) {
                throw new IllegalArgumentException("cannot listen on " + bind + ":" + port + " (" + e.getMessage()
                        + "): pass --port N, or --port 0 for a free one");
            }
            server.setExecutor(Executors.newFixedThreadPool(8, DaemonThreads.named("pixq-web")));
            ExecutorService retries = Executors.newSingleThreadExecutor(DaemonThreads.named("pixq-web-retry"));
            // OpenCV's natives load while the first page is served; only previews need them.
            CompletableFuture<ImageEngine> engine = CompletableFuture.supplyAsync(() -> new OpenCvImageEngine(work.engine()));
            BlobStore blobs;
            Predicate<String> servable;
            Consumer<List<JobSpec>> afterRetry;
            if (options.isLocal()) {
                blobs = new LocalFolderBlobStore(options.stateDir()); // read-only here: nothing is written
                servable = uri -> uri.startsWith("file:");
                afterRetry = specs -> retries.submit(() -> processHere(options, work, specs));
            } else {
                blobs = new S3BlobStore(options.aws.connection().s3());
                List<String> buckets = List.of("s3://" + options.aws.inputBucket() + "/", "s3://" + options.aws.outputBucket() + "/");
                servable = uri -> buckets.stream().anyMatch(uri::startsWith);
                afterRetry = specs -> {};
            }
            WebConsole.mount(server, "/", new WebConsole.Sources(target.store(), target.queue(), blobs, engine::join,
                    work.engine().maxBytes(), servable, afterRetry));
            server.start();
            return new WebStatus(server, target, retries);
        } catch (IOException | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    /** What `pixq retry` does after requeueing, locally: work the queue until these jobs are finished. */
    private static void processHere(TargetOptions options, WorkOptions work, List<JobSpec> specs) {
        try (LocalWork local = LocalWork.open(options.stateDir(), work, Clock.systemUTC())) {
            local.until(specs);
        } catch (IllegalStateException e) {
            System.err.println("requeued " + specs.size() + " jobs; " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.err.println("pixq: processing the retried jobs failed: " + e.getMessage());
        }
    }

    URI url() {
        InetSocketAddress at = server.getAddress();
        String host = at.getAddress().isAnyLocalAddress() ? "127.0.0.1" : at.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + at.getPort() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
        retries.shutdownNow();
        target.close();
    }
}
