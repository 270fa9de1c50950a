package pixq.serve;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One function instance started as Lambda starts it: a JVM running AWS's runtime interface client with
 * the template's handler string and environment ({@link InstanceProcess}), pulling its invocations from
 * a Lambda Runtime API of its own on a loopback port ({@link RuntimeApi}), as each Lambda execution
 * environment has its own. A timed-out invocation kills the process, as Lambda does. Each invocation's
 * log is its START, the function's lines, END and REPORT.
 */
final class RuntimeSandbox implements FunctionInstance {
    static final String RUNTIME_CLIENT = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    /** Where the runtime client loads its JNI library from, instead of unpacking it to /tmp/.libaws-lambda-jni.so. */
    static final String JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    private static final int TAIL_BYTES = 4096;

    private final Template.Function function;
    private final RuntimeApi api;
    private final InstanceProcess process;
    private final Log log;
    private volatile boolean timedOut;

    private RuntimeSandbox(Template.Function function, RuntimeApi api, InstanceProcess process, Log log) {
        this.function = function;
        this.api = api;
        this.process = process;
        this.log = log;
    }

    /**
     * @param classpath the JVM's classpath: the runtime client and the function's code
     * @param console where the function's output goes, line by line (as CloudWatch Logs would get it)
     */
    static RuntimeSandbox start(Template.Function function, Map<String, String> env, String classpath, Consumer<String> console)
            throws IOException {
        Path tmp = InstanceProcess.newTmp(function.name());
        try {
            return start(function, env, command(function, classpath, tmp), tmp, console);
        } catch (IOException | RuntimeException e) {
            InstanceProcess.deleteTree(tmp);
            throw e;
        }
    }

    /** The same with a whole command line: the worker image's own entry point, in its test. */
    static RuntimeSandbox start(Template.Function function, Map<String, String> env, List<String> command, Path tmp, Consumer<String> console)
            throws IOException {
        RuntimeApi api = RuntimeApi.start(function.name());
        try {
            Log log = new Log(console);
            InstanceProcess process = InstanceProcess.start(function.name(), command, lambdaEnv(function, env, api), tmp, log::line, api::exited);
            return new RuntimeSandbox(function, api, process, log);
        } catch (IOException | RuntimeException e) {
            api.close();
            throw e;
        }
    }

    /** The function's environment and the variables Lambda sets. */
    private static Map<String, String> lambdaEnv(Template.Function function, Map<String, String> env, RuntimeApi api) {
        Map<String, String> all = new HashMap<>(env);
        all.put("AWS_LAMBDA_RUNTIME_API", api.address());
        all.put("_HANDLER", function.handler());
        all.put("AWS_LAMBDA_FUNCTION_NAME", function.name());
        all.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        all.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(function.memoryMb()));
        all.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + function.name());
        all.put("AWS_LAMBDA_LOG_STREAM_NAME", "pixq-serve");
        all.putIfAbsent("AWS_REGION", "us-east-1");
        all.put("AWS_DEFAULT_REGION", all.get("AWS_REGION"));
        return all;
    }

    private static List<String> command(Template.Function function, String classpath, Path tmp) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jniLibraryIn(tmp, classpath));
        // As Lambda runs the worker: the serial collector, a heap within the function's memory, and the full JIT
        // (the worker image asks for it: on C1 alone the Lanczos filter runs 2.6x slower).
        command.addAll(List.of("-XX:+UseSerialGC",
                "-Xmx" + Math.max(64, function.memoryMb() * 85 / 100) + "m", "-Djava.net.preferIPv4Stack=true",
                "-Djava.io.tmpdir=" + tmp, "-XX:ErrorFile=" + tmp.resolve("hs_err_pid%p.log"),
                "-cp", classpath, RUNTIME_CLIENT, function.handler()));
        return InstanceProcess.inOwnSession(command);
    }

    /**
     * The runtime client's JNI library, copied from the instance's class path into its own folder. Left to itself
     * the client unpacks it to one fixed path, /tmp/.libaws-lambda-jni.so, whatever java.io.tmpdir says, and
     * instances starting together overwrite it under each other's feet ("file too short", SIGBUS in ld.so).
     */
    private static List<String> jniLibraryIn(Path tmp, String classpath) throws IOException {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64" -> "aarch_64";
            default -> "";
        };
        String name = "jni/libaws-lambda-jni.linux-" + arch + ".so";
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
                continue;
            }
            try (ZipFile jar = new ZipFile(entry)) {
                ZipEntry library = jar.getEntry(name);
                if (library != null) {
                    Path copy = tmp.resolve("libaws-lambda-jni.so");
                    try (InputStream in = jar.getInputStream(library)) {
                        Files.copy(in, copy);
                    }
                    return List.of("-D" + JNI_PROPERTY + "=" + copy);
                }
            }
        }
        return List.of(); // another platform: the client finds its own
    }

    @Override
    public Outcome invoke(String requestId, byte[] event, Duration timeout) throws InterruptedException {
        log.clear();
        log.append("START RequestId: " + requestId + " Version: $LATEST");
        long start = System.nanoTime();
        Optional<Outcome> answered = api.invoke(requestId, event, timeout);
        Outcome outcome = answered.isPresent() ? answered.get() : timeout(timeout);
        log.settle();
        long millis = (System.nanoTime() - start) / 1_000_000;
        log.append("END RequestId: " + requestId);
        log.append("REPORT RequestId: " + requestId + "\tDuration: " + millis + " ms\tMemory Size: " + function.memoryMb() + " MB");
        return new Outcome(outcome.payload(), outcome.failed(), log.tail());
    }

    /** Whether the runtime client asked for {@code /restore/next}, as it does on a SnapStart version after init. */
    boolean restored() {
        return api.restored();
    }

    /** Lambda stops an invocation past its timeout by ending its environment. */
    private Outcome timeout(Duration timeout) {
        timedOut = true;
        process.kill();
        String message = "Task timed out after " + String.format("%.2f", timeout.toMillis() / 1000.0) + " seconds";
        log.append(message);
        return new Outcome(RuntimeApi.json("{\"errorMessage\":\"" + message + "\",\"errorType\":\"Sandbox.Timedout\"}"), true, "");
    }

    @Override
    public boolean alive() {
        return process.alive() && !timedOut;
    }

    @Override
    public void close() {
        process.close();
        api.close();
    }

    /** The instance's temporary folder, as it is while the instance lives (for its test). */
    Path tmp() {
        return process.tmp();
    }

    /** The instance's output, passed on to the console and kept for the invocation's log. */
    private static final class Log {
        private final Consumer<String> console;
        private final StringBuilder lines = new StringBuilder();
        private volatile long lastOutput = System.nanoTime();

        Log(Consumer<String> console) {
            this.console = console;
        }

        void line(String line) {
            lastOutput = System.nanoTime();
            console.accept(line);
            append(line);
        }

        synchronized void append(String line) {
            lines.append(line).append('\n');
        }

        synchronized void clear() {
            lines.setLength(0);
        }

        synchronized String tail() {
            byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
            return new String(bytes, Math.max(0, bytes.length - TAIL_BYTES), Math.min(TAIL_BYTES, bytes.length), StandardCharsets.UTF_8);
        }

        /**
         * Lets the lines the function wrote just before answering reach the log (they travel a pipe, the answer
         * a socket): until its output has paused for 30 ms since the answer, 250 ms at most.
         */
        void settle() {
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
    }
}
