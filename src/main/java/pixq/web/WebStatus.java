package pixq.web;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.Executors;
import pixq.job.DaemonThreads;

/** {@code pixq status --web}: the {@link WebConsole} pages on a server of their own. */
public final class WebStatus implements AutoCloseable {
    private final HttpServer server;
    private final AutoCloseable resources;

    private WebStatus(HttpServer server, AutoCloseable resources) {
        this.server = server;
        this.resources = resources;
    }

    /** Serves the pages over {@code sources}; {@code resources} (the target, retry threads) close with the server. */
    public static WebStatus start(String bind, int port, WebConsole.Sources sources, AutoCloseable resources) throws IOException {
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
        WebConsole.mount(server, "/", sources);
        server.start();
        return new WebStatus(server, resources);
    }

    public URI url() {
        InetSocketAddress at = server.getAddress();
        String host = at.getAddress().isAnyLocalAddress() ? "127.0.0.1" : at.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + at.getPort() + "/");
    }

    @Override
    public void close() throws Exception {
        server.stop(0);
        resources.close();
    }
}
