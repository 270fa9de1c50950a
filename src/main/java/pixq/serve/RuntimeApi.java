package pixq.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import pixq.job.DaemonThreads;
import pixq.serve.FunctionInstance.Outcome;

/**
 * One execution environment's Lambda Runtime API on a loopback port of its own: the runtime client takes
 * each invocation from {@code /2018-06-01/runtime/invocation/next} and answers it on {@code .../response}
 * or {@code .../error}; a handler that cannot start reports on {@code /init/error}; SnapStart's client
 * passes {@code /restore/next} once after init.
 */
final class RuntimeApi implements AutoCloseable {
    private static final String API = "/2018-06-01/runtime/";

    private final String function;
    private final HttpServer server;
    private final ExecutorService threads;
    private final SynchronousQueue<Pending> handoff = new SynchronousQueue<>();
    private volatile Pending inflight;
    private volatile byte[] initError;
    private volatile Integer exitStatus;
    private volatile boolean restored;

    private record Pending(String requestId, byte[] event, Duration timeout, CompletableFuture<Outcome> result) {}

    private RuntimeApi(String function, HttpServer server, ExecutorService threads) {
        this.function = function;
        this.server = server;
        this.threads = threads;
    }

    /** Listening, for the instance of {@code function} about to start. */
    static RuntimeApi start(String function) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        ExecutorService threads = Executors.newCachedThreadPool(DaemonThreads.named("runtime-api-" + function));
        server.setExecutor(threads);
        RuntimeApi api = new RuntimeApi(function, server, threads);
        server.createContext(API, api::handle);
        server.start();
        return api;
    }

    /** What the runtime client is told in AWS_LAMBDA_RUNTIME_API. */
    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Hands the event to the runtime client and waits for its answer; empty past the timeout. A cold instance
     * takes it once started (its init does not count against the timeout, as on Lambda); one that dies first,
     * or reports an init error, has answered it already.
     */
    Optional<Outcome> invoke(String requestId, byte[] event, Duration timeout) throws InterruptedException {
        Pending pending = new Pending(requestId, event, timeout, new CompletableFuture<>());
        inflight = pending;
        if (exitStatus != null) {
            exited(exitStatus);
        }
        try {
            boolean taken = false;
            long until = System.nanoTime() + timeout.toNanos();
            while (!taken && !pending.result().isDone() && System.nanoTime() < until) {
                taken = handoff.offer(pending, 100, TimeUnit.MILLISECONDS);
            }
            if (taken) {
                return Optional.of(pending.result().get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            }
            return pending.result().isDone() ? Optional.of(pending.result().join()) : Optional.empty();
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            inflight = null;
        }
    }

    /** The runtime ended: the invocation in flight fails with its init error, or as Lambda's Runtime.ExitError. */
    void exited(int status) {
        exitStatus = status;
        Pending pending = inflight;
        if (pending != null) {
            byte[] error = initError != null ? initError
                    : json("{\"errorMessage\":\"RequestId: " + pending.requestId() + " Error: Runtime exited with error: exit status "
                            + status + "\",\"errorType\":\"Runtime.ExitError\"}");
            pending.result().complete(new Outcome(error, true, ""));
        }
    }

    /** Whether the runtime client asked for {@code /restore/next}, as it does on a SnapStart version after init. */
    boolean restored() {
        return restored;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(API.length());
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (path.equals("invocation/next") && "GET".equals(exchange.getRequestMethod())) {
                next(exchange);
            } else if (path.equals("restore/next") && "GET".equals(exchange.getRequestMethod())) {
                // SnapStart (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start): the snapshot is "taken" and resumed at once.
                restored = true;
                reply(exchange, 200, "");
            } else if (path.equals("init/error") || path.equals("restore/error")) {
                initError = body;
                Pending pending = inflight;
                if (pending != null) {
                    pending.result().complete(new Outcome(body, true, ""));
                }
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else if (path.startsWith("invocation/") && (path.endsWith("/response") || path.endsWith("/error"))) {
                String id = path.substring("invocation/".length(), path.lastIndexOf('/'));
                Pending pending = inflight;
                if (pending == null || !pending.requestId().equals(id)) {
                    reply(exchange, 400, "{\"errorMessage\":\"unknown request id " + id + "\",\"errorType\":\"InvalidRequestID\"}");
                    return;
                }
                pending.result().complete(new Outcome(body, path.endsWith("/error"), ""));
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else {
                reply(exchange, 404, "{\"errorMessage\":\"no such Runtime API path\",\"errorType\":\"NotFound\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until an invocation arrives, as Lambda's Runtime API does. */
    private void next(HttpExchange exchange) throws IOException, InterruptedException {
        Pending pending = handoff.take();
        var headers = exchange.getResponseHeaders();
        headers.set("Lambda-Runtime-Aws-Request-Id", pending.requestId());
        headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + pending.timeout().toMillis()));
        headers.set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:" + function);
        headers.set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
        headers.set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, pending.event().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(pending.event());
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
