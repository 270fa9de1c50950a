package pixq.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import pixq.worker.DaemonThreads;

/**
 * One function instance started as Lambda starts it: a JVM running AWS's runtime interface client with
 * the template's handler string and environment, pulling its invocations from this sandbox's own Lambda
 * Runtime API ({@code /2018-06-01/runtime/invocation/next}, {@code /response}, {@code /error}, SnapStart's {@code /restore/next},
 * {@code /init/error}) on a loopback port of its own, as each Lambda execution environment has its own.
 * A timed-out invocation kills the process, as Lambda does.
 */
final class RuntimeSandbox implements FunctionInstance {
    static final String RUNTIME_CLIENT = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    private static final String API = "/2018-06-01/runtime/";
    private static final int TAIL_BYTES = 4096;

    private final Template.Function function;
    private final HttpServer server;
    private final ExecutorService threads;
    private final Process process;
    private final SynchronousQueue<Pending> handoff = new SynchronousQueue<>();
    private final StringBuilder log = new StringBuilder();
    private volatile Pending inflight;
    private volatile byte[] initError;
    private volatile boolean timedOut;
    private volatile boolean restored;
    private volatile long lastOutput = System.nanoTime();

    private record Pending(String requestId, byte[] event, Duration timeout, CompletableFuture<Outcome> result) {}

    private final Path tmp;

    private RuntimeSandbox(Template.Function function, HttpServer server, ExecutorService threads, Process process, Path tmp) {
        this.function = function;
        this.tmp = tmp;
        this.server = server;
        this.threads = threads;
        this.process = process;
    }

    /**
     * @param classpath the JVM's classpath: the runtime client and the function's code
     * @param console where the function's output goes, line by line (as CloudWatch Logs would get it)
     */
    static RuntimeSandbox start(Template.Function function, Map<String, String> env, String classpath, Consumer<String> console)
            throws IOException {
        Path tmp = Files.createTempDirectory("pixq-" + function.name() + "-");
        try {
            return start(function, env, command(function, classpath, tmp), tmp, console);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    /** The same with a whole command line: the worker image's own entry point, in its test. */
    static RuntimeSandbox start(Template.Function function, Map<String, String> env, List<String> command, Path tmp, Consumer<String> console)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        ExecutorService threads = Executors.newCachedThreadPool(DaemonThreads.named("runtime-api-" + function.name()));
        server.setExecutor(threads);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> processEnv = builder.environment();
        processEnv.keySet().retainAll(List.of("PATH", "HOME", "LANG", "TMPDIR", "TZ", "JAVA_HOME",
                "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE",
                "AWS_SHARED_CREDENTIALS_FILE", "PIXQ_DEBUG"));
        processEnv.putAll(env);
        // Each execution environment has a /tmp of its own, as on Lambda: the runtime client unpacks its JNI
        // library there, and two instances writing one file at once crash (SIGBUS).
        processEnv.put("TMPDIR", tmp.toString());
        processEnv.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + server.getAddress().getPort());
        processEnv.put("_HANDLER", function.handler());
        processEnv.put("AWS_LAMBDA_FUNCTION_NAME", function.name());
        processEnv.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        processEnv.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(function.memoryMb()));
        processEnv.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function.name());
        processEnv.put("AWS_LAMBDA_LOG_STREAM_NAME", "pixq-serve");
        processEnv.putIfAbsent("AWS_REGION", "us-east-1");
        processEnv.put("AWS_DEFAULT_REGION", processEnv.get("AWS_REGION"));
        // The port is bound already: the client's first connection waits in its backlog until the server starts.
        Process process = builder.start();
        RuntimeSandbox sandbox = new RuntimeSandbox(function, server, threads, process, tmp);
        server.createContext(API, sandbox::handle);
        server.start();
        threads.execute(() -> sandbox.pump(process.getInputStream(), console));
        process.onExit().thenRun(sandbox::exited);
        return sandbox;
    }

    private static List<String> command(Template.Function function, String classpath, Path tmp) {
        List<String> command = new ArrayList<>();
        // A session of its own: Ctrl-C in serve's terminal must not kill an instance in mid-invocation (serve stops it after).
        if (java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // As Lambda runs the worker: the serial collector, a heap within the function's memory, and the full JIT
        // (the worker image asks for it: on C1 alone the Lanczos filter runs 2.6x slower).
        command.addAll(List.of("-XX:+UseSerialGC",
                "-Xmx" + Math.max(64, function.memoryMb() * 85 / 100) + "m", "-Djava.net.preferIPv4Stack=true",
                "-Djava.io.tmpdir=" + tmp, "-XX:ErrorFile=" + tmp.resolve("hs_err_pid%p.log"),
                "-cp", classpath, RUNTIME_CLIENT, function.handler()));
        return command;
    }

    @Override
    public Outcome invoke(String requestId, byte[] event, Duration timeout) throws InterruptedException {
        Pending pending = new Pending(requestId, event, timeout, new CompletableFuture<>());
        synchronized (log) {
            log.setLength(0);
        }
        append("START RequestId: " + requestId + " Version: $LATEST");
        long start = System.nanoTime();
        inflight = pending;
        if (!process.isAlive()) {
            exited();
        }
        Outcome outcome;
        try {
            // A cold instance takes it once started (its init does not count against the timeout, as on Lambda);
            // one that dies first, or reports an init error, has completed it already.
            boolean taken = false;
            long until = System.nanoTime() + timeout.toNanos();
            while (!taken && !pending.result().isDone() && System.nanoTime() < until) {
                taken = handoff.offer(pending, 100, TimeUnit.MILLISECONDS);
            }
            if (taken) {
                outcome = pending.result().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                outcome = pending.result().isDone() ? pending.result().join() : timeout(timeout);
            }
        } catch (TimeoutException e) {
            outcome = timeout(timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            inflight = null;
        }
        settleOutput();
        long millis = (System.nanoTime() - start) / 1_000_000;
        append("END RequestId: " + requestId);
        append("REPORT RequestId: " + requestId + "\tDuration: " + millis + " ms\tMemory Size: " + function.memoryMb() + " MB");
        return new Outcome(outcome.payload(), outcome.failed(), tail());
    }

    /** Whether the runtime client asked for {@code /restore/next}, as it does on a SnapStart version after init. */
    boolean restored() {
        return restored;
    }

    /** Lambda stops an invocation past its timeout by ending its environment. */
    private Outcome timeout(Duration timeout) {
        timedOut = true;
        process.destroyForcibly();
        String message = "Task timed out after " + String.format("%.2f", timeout.toMillis() / 1000.0) + " seconds";
        append(message);
        return new Outcome(json("{\"errorMessage\":\"" + message + "\",\"errorType\":\"Sandbox.Timedout\"}"), true, "");
    }

    private void exited() {
        Pending pending = inflight;
        if (pending != null) {
            byte[] error = initError != null ? initError
                    : json("{\"errorMessage\":\"RequestId: " + pending.requestId() + " Error: Runtime exited with error: exit status "
                            + process.exitValue() + "\",\"errorType\":\"Runtime.ExitError\"}");
            pending.result().complete(new Outcome(error, true, ""));
        }
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
        headers.set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:" + function.name());
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

    private void pump(InputStream output, Consumer<String> console) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                lastOutput = System.nanoTime();
                console.accept(line);
                append(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /**
     * Lets the lines the function wrote just before answering reach the log (they travel a pipe, the answer
     * a socket): until its output has paused for 30 ms since the answer, 250 ms at most.
     */
    private void settleOutput() {
        long answered = System.nanoTime();
        long until = answered + 250_000_000L;
        while (System.nanoTime() < until && System.nanoTime() - Math.max(lastOutput, answered) < 30_000_000L) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void append(String line) {
        synchronized (log) {
            log.append(line).append('\n');
        }
    }

    private String tail() {
        synchronized (log) {
            byte[] bytes = log.toString().getBytes(StandardCharsets.UTF_8);
            return new String(bytes, Math.max(0, bytes.length - TAIL_BYTES), Math.min(TAIL_BYTES, bytes.length), StandardCharsets.UTF_8);
        }
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean alive() {
        return process.isAlive() && !timedOut;
    }

    @Override
    public void close() {
        // The whole tree: what the function started dies with it.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        server.stop(0);
        threads.shutdownNow();
        deleteTree(tmp);
    }

    /** The instance's temporary folder, as it is while the instance lives (for its test). */
    Path tmp() {
        return tmp;
    }

    private static void deleteTree(Path folder) {
        try (var files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // a leftover in the system's temporary folder is harmless
        }
    }
}
