package pixq.serve;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import pixq.aws.AwsConnection;
import pixq.aws.DynamoJobStore;
import pixq.aws.S3BlobStore;
import pixq.aws.SqsJobQueue;
import pixq.job.DaemonThreads;
import pixq.job.JobQueue;
import pixq.local.BucketFolders;
import pixq.local.LocalState;
import pixq.recipe.BlobUri;

/**
 * The Lambda service on this machine: the template's functions behind the Invoke API, their queue and
 * S3 triggers polled as Lambda's event source mappings do, and the batch pages on the same port.
 */
public final class Emulator {
    /** Stopping waits this long at most for running invocations. */
    public static final Duration GRACE = Duration.ofSeconds(30);
    private static final int BACKLOG = 1024;

    private final EmulatorConfig config;
    private final AtomicBoolean stop = new AtomicBoolean();
    private HttpServer server;
    private ExecutorService threads;
    private Map<String, ServedFunction> functions;
    private LocalState local;

    private Emulator(EmulatorConfig config) {
        this.config = config;
    }

    /** Starts serving; returns once the server answers. */
    public static Emulator start(EmulatorConfig config) throws IOException {
        Emulator emulator = new Emulator(config);
        emulator.serve();
        return emulator;
    }

    private void serve() throws IOException {
        // A client that sends its request too slowly is dropped; an idle keep-alive connection after a while.
        System.setProperty("sun.net.httpserver.maxReqTime", "60");
        System.setProperty("sun.net.httpserver.idleInterval", "30");
        Template parsed = config.template();
        if (config.backend() instanceof Backend.Embedded embedded) {
            // The job queue as the template makes it: hidden 6 x the worker's timeout, dead-lettered after MaxReceives.
            local = LocalState.open(embedded.state(), Duration.ofSeconds(6L * Integer.parseInt(parsed.parameter("WorkerTimeout"))),
                    Integer.parseInt(parsed.parameter("MaxReceives")), LocalState.DEFAULT_RECEIVE_WAIT, Clock.systemUTC());
            local.takeOver(Clock.systemUTC());
        }
        String classpath = config.inProcess() ? null : runtimeClasspath();
        functions = functions(parsed, classpath);
        threads = Executors.newCachedThreadPool(DaemonThreads.named("pixq-serve"));
        List<Runnable> loops = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (ServedFunction function : functions.values()) {
            for (Template.QueueSource source : function.definition.queues()) {
                JobQueue queue = queue(parsed.outputOf(source.queue()), local);
                if (queue == null) {
                    sources.add(source.queue() + " -> " + function.name() + (local != null
                            ? ": done by the embedded queue, which ends a dead-lettered job FAILED and keeps its message for pixq redrive"
                            : ": off (no such queue on this backend)"));
                    continue;
                }
                Template.QueueSource capped = new Template.QueueSource(source.queue(), source.batchSize(), source.window(),
                        Math.min(source.maxConcurrency(), instances()), source.reportFailures());
                QueueMapping mapping = new QueueMapping(queue, source.queue(), function, capped, QueueMapping.Kind.SQS_EVENT, Emulator::say);
                for (int i = 0; i < mapping.pollers(); i++) {
                    loops.add(() -> mapping.poll(stop::get));
                }
                sources.add(String.format("%s -> %s: batches of %d, window %d s, %d at once%s", source.queue(), function.name(),
                        source.batchSize(), source.window().toSeconds(), capped.maxConcurrency(),
                        source.reportFailures() ? ", ReportBatchItemFailures" : ""));
            }
            for (Template.UploadSource upload : function.definition.uploads()) {
                sources.add(uploads(upload, function, local, loops));
            }
        }
        // Without TCP_NODELAY every small answer of the pages waits ~40 ms for a delayed ACK.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            // A backlog that holds a burst of a few hundred connections: a full one resets them unanswered.
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()), BACKLOG);
        } catch (java.net.BindException e) {
            stop();
            throw new IllegalStateException(config.host() + ":" + config.port() + " is taken (another pixq serve, or sam local start-lambda?): give --port N");
        }
        server.setExecutor(threads);
        HostGuard guard = new HostGuard(server.getAddress());
        server.createContext(InvokeApi.PATH, new InvokeApi(functions, threads, Emulator::say)).getFilters().add(guard);
        // Every path that is not Lambda's API: the batch pages, as `pixq status --web` serves them.
        config.pages().mount(server, backing()).getFilters().add(guard);
        server.start();
        loops.forEach(threads::execute);

        System.err.printf("pixq serve on http://%s:%d (%s)%n", config.host(), server.getAddress().getPort(), describe(config.backend()));
        System.err.printf("functions: %s, %s%n", String.join(", ", functions.keySet()),
                classpath != null ? "each instance a JVM with the Lambda runtime interface client"
                        : config.inProcess() ? "in this process (--in-process)" : "in this process: " + whyInProcess());
        sources.forEach(s -> System.err.println("  " + s));
        System.err.println("Ctrl-C to stop.");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops taking work, lets running invocations finish (GRACE at most), stops the instances. */
    public void stop() {
        if (server == null) {
            threads.shutdownNow();
            functions.values().forEach(ServedFunction::close);
            if (local != null) {
                local.close();
            }
            return;
        }
        say("stopping: no new work; waiting for running invocations (" + GRACE.toSeconds() + " s at most)");
        stop.set(true);
        server.stop(0);
        long until = System.nanoTime() + GRACE.toNanos();
        while (functions.values().stream().anyMatch(f -> f.running() > 0) && System.nanoTime() < until) {
            sleep(100);
        }
        int left = functions.values().stream().mapToInt(ServedFunction::running).sum();
        if (left > 0) {
            say(left + " invocations cut short: their messages come back to the queue");
        }
        threads.shutdownNow();
        functions.values().forEach(ServedFunction::close);
        if (local != null) {
            local.close();
        }
    }

    private Map<String, ServedFunction> functions(Template parsed, String classpath) {
        Map<String, ServedFunction> functions = new LinkedHashMap<>();
        for (String name : parsed.functionNames()) {
            Template.Function fn = parsed.function(name);
            Map<String, String> env = config.backend().environment(fn);
            int limit = fn.queues().stream().mapToInt(Template.QueueSource::maxConcurrency).min().orElse(Integer.MAX_VALUE);
            ServedFunction.Starter starter = classpath != null
                    ? () -> RuntimeSandbox.start(fn, env, classpath, line -> say(name + " " + line))
                    : () -> new InProcessFunction(fn, env, connection());
            functions.put(name, new ServedFunction(fn, Math.min(limit, instances()), starter));
        }
        return functions;
    }

    private int instances() {
        return config.instances();
    }

    /** The queue behind a template resource (named by its output: QueueUrl, DeadLetterQueueUrl), or null. */
    private JobQueue queue(String output, LocalState local) {
        if (output == null) {
            return null;
        }
        if (local != null) {
            // What DeadLetterFunction does on AWS, the embedded queue does as it dead-letters: the job ends FAILED at once.
            Backend.Embedded embedded = (Backend.Embedded) config.backend();
            return output.equals("QueueUrl") ? local.failingDeadLetters(local.queue(), Clock.systemUTC(),
                    EmbeddedPorts.completion(local, new BucketFolders(embedded.data()), embedded.onBatchDone()), System.err) : null;
        }
        Backend.Aws aws = (Backend.Aws) config.backend();
        String url = switch (output) {
            case "QueueUrl" -> aws.queueUrl();
            case "DeadLetterQueueUrl" -> aws.dlqUrl();
            default -> null;
        };
        return url == null ? null : new SqsJobQueue(aws.connection().sqs(), url, Duration.ofSeconds(1));
    }

    /** The S3 trigger: the bucket's folder watched (embedded), or the bucket's notification queue polled. */
    private String uploads(Template.UploadSource upload, ServedFunction function, LocalState local, List<Runnable> loops) throws IOException {
        if (local != null) {
            String bucket = config.backend().inputBucket();
            Path folder = ((Backend.Embedded) config.backend()).data().resolve(bucket);
            Files.createDirectories(folder.resolve(upload.prefix().substring(0, upload.prefix().lastIndexOf('/') + 1)));
            DropWatcher watcher = new DropWatcher(folder, bucket, upload.prefix(), LocalState.dropRecord(local.folder()), function, Emulator::say);
            loops.add(() -> {
                try {
                    watcher.watch(stop::get, 1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return "files created in " + folder.resolve(upload.prefix()) + " -> " + function.name();
        }
        String uploadsQueueUrl = config.uploadsQueueUrl();
        if (uploadsQueueUrl == null) {
            return "uploads to " + upload.bucket() + " -> " + function.name() + ": off (give --uploads-queue-url, or --deploy)";
        }
        var queue = new SqsJobQueue(connection().sqs(), uploadsQueueUrl, Duration.ofSeconds(1));
        var source = new Template.QueueSource(upload.bucket(), 10, Duration.ZERO, 1, false);
        QueueMapping mapping = new QueueMapping(queue, uploadsQueueUrl, function, source, QueueMapping.Kind.S3_NOTIFICATIONS, Emulator::say);
        loops.add(() -> mapping.poll(stop::get));
        return "uploads to " + config.backend().inputBucket() + " (notified on " + uploadsQueueUrl + ") -> " + function.name();
    }

    /**
     * What the batch pages read: this backend's job records, queue and two buckets (nothing else is served).
     * Retried jobs need no help here: the queue's mapping to the worker function picks them up.
     */
    private Pages.Backing backing() {
        List<String> buckets = List.of(config.backend().inputBucket(), config.backend().outputBucket());
        if (local != null) {
            Path data = ((Backend.Embedded) config.backend()).data();
            BucketFolders folders = new BucketFolders(data);
            return new Pages.Backing(local.jobs(), local.queue(), folders, uri -> BlobUri.inBuckets(uri, buckets),
                    uri -> Optional.of(folders.path(uri)));
        }
        Backend.Aws aws = (Backend.Aws) config.backend();
        return new Pages.Backing(new DynamoJobStore(aws.connection().dynamo(), aws.table()),
                new SqsJobQueue(aws.connection().sqs(), aws.queueUrl(), Duration.ofSeconds(1)), new S3BlobStore(aws.connection().s3()),
                uri -> BlobUri.inBuckets(uri, buckets), uri -> Optional.empty());
    }

    /** The AWS connection the handlers get: the backend's, or the default one on the embedded backend (never used there). */
    private AwsConnection connection() {
        return config.backend() instanceof Backend.Aws aws ? aws.connection() : new AwsConnection(null, null);
    }

    private static String describe(Backend backend) {
        if (backend instanceof Backend.Embedded e) {
            return "embedded backend: buckets in " + e.data() + ", state in " + e.state();
        }
        Backend.Aws aws = (Backend.Aws) backend;
        return "AWS backend" + (aws.endpoint() != null ? " at " + aws.endpoint() : "");
    }

    /**
     * The classpath of a runtime-client JVM: this one's when it holds the client (tests, mvn exec), else
     * target/pixq.jar with target/lambda-runtime/*.jar beside it; null when the client cannot run here.
     */
    static String runtimeClasspath() {
        if (whyInProcess() != null) {
            return null;
        }
        try {
            Class.forName(RuntimeSandbox.RUNTIME_CLIENT, false, Emulator.class.getClassLoader());
            return System.getProperty("java.class.path");
        } catch (ClassNotFoundException e) {
            return clientJars().map(jars -> ownJar() + File.pathSeparator + jars).orElse(null);
        }
    }

    /** Why the runtime client cannot run here, or null when it can. */
    public static String whyInProcess() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return "the Lambda runtime interface client ships Linux x86_64/arm64 natives only (this is " + os + " " + arch + ")";
        }
        try {
            Class.forName(RuntimeSandbox.RUNTIME_CLIENT, false, Emulator.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException e) {
            return clientJars().isPresent() ? null : "the runtime interface client is not in " + ownJar().getParent().resolve("lambda-runtime")
                    + " (mvn -B package -DskipTests puts it there)";
        }
    }

    private static Optional<String> clientJars() {
        Path folder = ownJar().getParent().resolve("lambda-runtime");
        if (!Files.isDirectory(folder)) {
            return Optional.empty();
        }
        try (Stream<Path> jars = Files.list(folder)) {
            String list = jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().collect(Collectors.joining(File.pathSeparator));
            return list.isEmpty() ? Optional.empty() : Optional.of(list);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Path ownJar() {
        try {
            return Path.of(Emulator.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static void say(String line) {
        System.err.println(line);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
