package pixq.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pixq.aws.S3BlobStore;
import pixq.aws.SqsJobQueue;
import pixq.image.EngineConfig;
import pixq.image.ImageEngine;
import pixq.image.OpenCvImageEngine;
import pixq.job.BlobStore;
import pixq.job.JobQueue;
import pixq.local.BucketFolders;
import pixq.local.LocalState;

@Command(
        name = "serve",
        header = "The Lambda service on this machine: aws lambda invoke, queue and S3 triggers, as on AWS.",
        mixinStandardHelpOptions = true,
        description = {"Serves the functions of template.yaml as Lambda does, on 127.0.0.1 (port 3001, as",
            "`sam local start-lambda`): the Invoke API for `aws lambda invoke --endpoint-url` and the SDKs;",
            "the job queue feeding WorkerFunction with the template's BatchSize, batching window,",
            "MaximumConcurrency and ReportBatchItemFailures; files created in the input bucket under",
            "InputPrefix going to SubmitFunction. Each function instance is a JVM started with AWS's Lambda",
            "runtime interface client, talking to serve's own Runtime API, with the template's handler and",
            "Environment (in-process where that client cannot run).",
            "",
            "Backends: embedded (the default; nothing else running): buckets are folders, --data",
            "DIR/BUCKET/KEY (pixq-input, pixq-output), the queue and job records in --state as pixq run",
            "keeps them, so `pixq status` follows the work. Or an emulator: --endpoint-url with --deploy",
            "NAME creates the template's buckets, queues and table there (NAME-input, NAME-output,",
            "NAME-jobs, ...), the input bucket notifying a queue that serve polls. Or a stack's, --stack.",
            "",
            "Ctrl-C stops taking work, lets running invocations finish (30 s at most), and stops; a batch",
            "cut short is not deleted, so its messages come back."},
        footer = {"", "Examples:",
            "  pixq serve                          embedded; drop files into pixq-data/pixq-input/incoming/",
            "  aws lambda invoke --endpoint-url http://127.0.0.1:3001 --function-name SubmitFunction \\",
            "      --payload fileb://events/submit-prefix.json out.json",
            "  pixq serve --endpoint-url http://127.0.0.1:5000 --deploy pixq      moto or LocalStack",
            "", "See README, \"Try it like AWS, on one machine\"."})
final class ServeCommand implements Callable<Integer> {
    /** Ctrl-C waits this long at most for running invocations. */
    static final Duration GRACE = Duration.ofSeconds(30);

    @Option(names = "--port", defaultValue = "3001", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Mixin
    TemplateOptions template;

    @Option(names = "--concurrency", paramLabel = "N",
            description = "Most instances of each function at once (default: the cores, and at most a queue's MaximumConcurrency).")
    Integer concurrency;

    @Option(names = "--in-process", description = "Run the handlers in this JVM instead of runtime-client JVMs.")
    boolean inProcess;

    @Option(names = "--deploy", paramLabel = "NAME",
            description = "With --endpoint-url: create (when missing) the template's resources on the emulator, named NAME-...")
    String deploy;

    @Option(names = "--uploads-queue-url", paramLabel = "URL",
            description = "A queue the input bucket's ObjectCreated notifications go to (--deploy makes one).")
    String uploadsQueueUrl;

    @Mixin
    FunctionsBackend backend;

    private final AtomicBoolean stop = new AtomicBoolean();
    private HttpServer server;
    private ExecutorService threads;
    private Map<String, ServedFunction> functions;
    private LocalState local;

    @Override
    public Integer call() throws Exception {
        start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /** Starts serving; returns once the server answers. */
    void start() throws Exception {
        // A client that sends its request too slowly is dropped; an idle keep-alive connection after a while.
        System.setProperty("sun.net.httpserver.maxReqTime", "60");
        System.setProperty("sun.net.httpserver.idleInterval", "30");
        Template parsed = template.read();
        if (backend.embedded()) {
            // The job queue as the template makes it: hidden 6 x the worker's timeout, dead-lettered after MaxReceives.
            local = LocalState.open(backend.state.dir, Duration.ofSeconds(6L * Integer.parseInt(parsed.parameter("WorkerTimeout"))),
                    Integer.parseInt(parsed.parameter("MaxReceives")), LocalState.DEFAULT_RECEIVE_WAIT, java.time.Clock.systemUTC());
            LocalWork.takeOver(local, java.time.Clock.systemUTC());
        } else if (deploy != null) {
            if (backend.aws.endpoint == null) {
                throw new IllegalArgumentException("--deploy creates resources on an emulator: give its --endpoint-url");
            }
            EmulatorStack stack = EmulatorStack.deploy(backend.aws.connection(), deploy, parsed);
            backend.aws.inputBucket = stack.inputBucket();
            backend.aws.outputBucket = stack.outputBucket();
            backend.aws.queueUrl = stack.queueUrl();
            backend.aws.dlqUrl = stack.dlqUrl();
            backend.aws.table = stack.table();
            uploadsQueueUrl = uploadsQueueUrl != null ? uploadsQueueUrl : stack.uploadsUrl();
            System.err.printf("deployed on %s: buckets %s, %s; queue %s; table %s%n", backend.aws.endpoint,
                    stack.inputBucket(), stack.outputBucket(), stack.queueUrl(), stack.table());
        }
        String classpath = inProcess ? null : runtimeClasspath();
        functions = functions(parsed, classpath);
        threads = Executors.newCachedThreadPool(DaemonThreads.named("pixq-serve"));
        List<Runnable> loops = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (ServedFunction function : functions.values()) {
            for (Template.QueueSource source : function.definition.queues()) {
                JobQueue queue = queue(parsed.outputOf(source.queue()), local);
                if (queue == null) {
                    sources.add(source.queue() + " -> " + function.name() + ": off (no such queue on this backend)");
                    continue;
                }
                Template.QueueSource capped = new Template.QueueSource(source.queue(), source.batchSize(), source.window(),
                        Math.min(source.maxConcurrency(), instances()), source.reportFailures());
                QueueMapping mapping = new QueueMapping(queue, source.queue(), function, capped, QueueMapping.Kind.SQS_EVENT, ServeCommand::say);
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
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 64);
        } catch (java.net.BindException e) {
            stop();
            throw new IllegalStateException(host + ":" + port + " is taken (another pixq serve, or sam local start-lambda?): give --port N");
        }
        server.setExecutor(threads);
        server.createContext(InvokeApi.PATH, new InvokeApi(functions, threads, ServeCommand::say));
        // Every path that is not Lambda's API: the batch pages, as `pixq status --web` serves them.
        WebConsole.mount(server, "/", pages());
        server.start();
        loops.forEach(threads::execute);

        System.err.printf("pixq serve on http://%s:%d (%s backend%s)%n", host, server.getAddress().getPort(),
                backend.embedded() ? "embedded" : "AWS", backend.embedded() ? ": buckets in " + backend.data + ", state in " + backend.state.dir
                        : backend.aws.endpoint != null ? " at " + backend.aws.endpoint : "");
        System.err.printf("functions: %s, %s%n", String.join(", ", functions.keySet()),
                classpath != null ? "each instance a JVM with the Lambda runtime interface client"
                        : inProcess ? "in this process (--in-process)" : "in this process: " + whyInProcess());
        sources.forEach(s -> System.err.println("  " + s));
        System.err.println("Ctrl-C to stop.");
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Stops taking work, lets running invocations finish (GRACE at most), stops the instances. */
    void stop() {
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
            Map<String, String> env = backend.environment(fn);
            int limit = fn.queues().stream().mapToInt(Template.QueueSource::maxConcurrency).min().orElse(Integer.MAX_VALUE);
            ServedFunction.Starter starter = classpath != null
                    ? () -> RuntimeSandbox.start(fn, env, classpath, line -> say(name + " " + line))
                    : () -> new InProcessFunction(fn, env, backend.aws.connection());
            functions.put(name, new ServedFunction(fn, Math.min(limit, instances()), starter));
        }
        return functions;
    }

    private int instances() {
        return concurrency != null ? Math.max(1, concurrency) : Runtime.getRuntime().availableProcessors();
    }

    /** The queue behind a template resource (named by its output: QueueUrl, DeadLetterQueueUrl), or null. */
    private JobQueue queue(String output, LocalState local) {
        if (output == null) {
            return null;
        }
        if (local != null) {
            return output.equals("QueueUrl") ? local.queue() : null;
        }
        String url = switch (output) {
            case "QueueUrl" -> backend.aws.queueUrl();
            case "DeadLetterQueueUrl" -> backend.aws.dlqUrl();
            default -> null;
        };
        return url == null ? null : new SqsJobQueue(backend.aws.connection().sqs(), url, Duration.ofSeconds(1));
    }

    /** The S3 trigger: the bucket's folder watched (embedded), or the bucket's notification queue polled. */
    private String uploads(Template.UploadSource upload, ServedFunction function, LocalState local, List<Runnable> loops) throws IOException {
        if (local != null) {
            String bucket = backend.inputBucket();
            Path folder = backend.data.resolve(bucket);
            Files.createDirectories(folder.resolve(upload.prefix().substring(0, upload.prefix().lastIndexOf('/') + 1)));
            DropWatcher watcher = new DropWatcher(folder, bucket, upload.prefix(), LocalState.dropRecord(local.folder()), function, ServeCommand::say);
            loops.add(() -> {
                try {
                    watcher.watch(stop::get, 1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return "files created in " + folder.resolve(upload.prefix()) + " -> " + function.name();
        }
        if (uploadsQueueUrl == null) {
            return "uploads to " + upload.bucket() + " -> " + function.name() + ": off (give --uploads-queue-url, or --deploy)";
        }
        var queue = new SqsJobQueue(backend.aws.connection().sqs(), uploadsQueueUrl, Duration.ofSeconds(1));
        var source = new Template.QueueSource(upload.bucket(), 10, Duration.ZERO, 1, false);
        QueueMapping mapping = new QueueMapping(queue, uploadsQueueUrl, function, source, QueueMapping.Kind.S3_NOTIFICATIONS, ServeCommand::say);
        loops.add(() -> mapping.poll(stop::get));
        return "uploads to " + backend.inputBucket() + " (notified on " + uploadsQueueUrl + ") -> " + function.name();
    }

    /**
     * What the batch pages read: this backend's job records, queue and two buckets (nothing else is served).
     * Retried jobs need no help here: the queue's mapping to the worker function picks them up.
     */
    private WebConsole.Sources pages() {
        Target target = local != null ? null : backend.aws.open();
        List<String> buckets = List.of("s3://" + backend.inputBucket() + "/", "s3://" + backend.outputBucket() + "/");
        BlobStore blobs = local != null ? new BucketFolders(backend.data) : new S3BlobStore(backend.aws.connection().s3());
        // OpenCV loads at the first preview, not at start: most serve sessions never open a gallery.
        Supplier<ImageEngine> engine = new Supplier<>() {
            private ImageEngine loaded;

            @Override
            public synchronized ImageEngine get() {
                if (loaded == null) {
                    loaded = new OpenCvImageEngine(EngineConfig.defaults());
                }
                return loaded;
            }
        };
        return new WebConsole.Sources(local != null ? local.jobs() : target.store(), local != null ? local.queue() : target.queue(),
                blobs, engine, EngineConfig.DEFAULT_MAX_BYTES, uri -> buckets.stream().anyMatch(uri::startsWith), specs -> {});
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
            Class.forName(RuntimeSandbox.RUNTIME_CLIENT, false, ServeCommand.class.getClassLoader());
            return System.getProperty("java.class.path");
        } catch (ClassNotFoundException e) {
            return clientJars().map(jars -> ownJar() + File.pathSeparator + jars).orElse(null);
        }
    }

    /** Why the runtime client cannot run here, or null when it can. */
    static String whyInProcess() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return "the Lambda runtime interface client ships Linux x86_64/arm64 natives only (this is " + os + " " + arch + ")";
        }
        try {
            Class.forName(RuntimeSandbox.RUNTIME_CLIENT, false, ServeCommand.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException e) {
            return clientJars().isPresent() ? null : "the runtime interface client is not in " + ownJar().getParent().resolve("lambda-runtime")
                    + " (mvn -B package -DskipTests puts it there)";
        }
    }

    private static java.util.Optional<String> clientJars() {
        Path folder = ownJar().getParent().resolve("lambda-runtime");
        if (!Files.isDirectory(folder)) {
            return java.util.Optional.empty();
        }
        try (Stream<Path> jars = Files.list(folder)) {
            String list = jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().collect(Collectors.joining(File.pathSeparator));
            return list.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(list);
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static Path ownJar() {
        try {
            return Path.of(ServeCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
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
