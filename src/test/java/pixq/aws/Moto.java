package pixq.aws;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import pixq.job.MissingTool;

/**
 * JUnit 5 extension giving AWS tests a moto_server endpoint: PIXQ_MOTO_ENDPOINT when set (.ci/run starts
 * one); else a moto_server started here on a free loopback port, once per test JVM, stopped at the end;
 * else the test is skipped saying why, or fails when CI=true (CI must never pass by skipping).
 * Each test class names its resources with {@link #unique} so classes never collide on the shared server.
 */
public final class Moto implements BeforeAllCallback {
    private static final String KEY = "pixq.moto";

    @Override
    public void beforeAll(ExtensionContext context) {
        Server server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KEY, k -> Server.find(), Server.class);
        if (server.endpoint == null) {
            MissingTool.skipOrFail("no moto: " + server.why);
        }
        endpoint = server.endpoint;
    }

    private static volatile URI endpoint;

    public static AwsConnection connection() {
        if (endpoint == null) {
            throw new IllegalStateException("use @ExtendWith(Moto.class) first");
        }
        return new AwsConnection("us-east-1", endpoint);
    }

    /** A resource name no other test class or run uses: lowercase, valid for buckets, queues and tables. */
    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static final class Server implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final URI endpoint;
        final String why;
        private final Process process;

        private Server(URI endpoint, String why, Process process) {
            this.endpoint = endpoint;
            this.why = why;
            this.process = process;
        }

        static Server find() {
            String given = System.getenv("PIXQ_MOTO_ENDPOINT");
            if (given != null && !given.isBlank()) {
                return new Server(URI.create(given), null, null);
            }
            if (!MissingTool.onPath("moto_server")) {
                return new Server(null, "moto_server is not on PATH and PIXQ_MOTO_ENDPOINT is not set"
                        + " (pip install 'moto[server]')", null);
            }
            try {
                return start();
            } catch (IOException | InterruptedException e) {
                return new Server(null, "moto_server did not start: " + e.getMessage(), null);
            }
        }

        private static Server start() throws IOException, InterruptedException {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path log = Files.createTempFile("moto", ".log");
            Process process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    return new Server(null, "moto_server exited: " + Files.readString(log), null);
                }
                if (answers(endpoint)) {
                    return new Server(endpoint, null, process);
                }
                Thread.sleep(100);
            }
            process.destroyForcibly();
            return new Server(null, "moto_server did not answer within 30 s", null);
        }

        private static boolean answers(URI endpoint) {
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                return c.getResponseCode() > 0;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
            }
        }
    }
}
