package pixq.cli;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import pixq.image.EngineConfig;
import pixq.image.ImageEngine;
import pixq.image.OpenCvImageEngine;
import pixq.serve.Backend;
import pixq.serve.Emulator;
import pixq.serve.EmulatorConfig;
import pixq.serve.EmulatorStack;
import pixq.serve.Pages;
import pixq.serve.Template;
import pixq.web.WebConsole;

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
            "      --payload fileb://events/submit-prefix.json target/out.json",
            "  pixq serve --endpoint-url http://127.0.0.1:5000 --deploy pixq      moto or LocalStack",
            "", "See README, \"Try it like AWS, on one machine\"."})
final class ServeCommand implements Callable<Integer> {
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

    @Option(names = "--on-batch-done", paramLabel = "CMD", description = "With the embedded backend: a shell command run"
            + " when a batch finishes, with its completion event (as EventBridge's \"Batch Finished\") as JSON on its standard input.")
    String onBatchDone;

    @Mixin
    FunctionsBackend backend;

    private Emulator emulator;

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
    void start() throws IOException {
        emulator = Emulator.start(config());
    }

    int port() {
        return emulator.port();
    }

    /** Stops taking work, lets running invocations finish ({@link Emulator#GRACE} at most), stops the instances. */
    void stop() {
        emulator.stop();
    }

    /** The options as the emulator's configuration; --deploy creates the template's resources on the emulator first. */
    private EmulatorConfig config() throws IOException {
        Template parsed = template.read();
        Backend served;
        String uploads = uploadsQueueUrl;
        if (deploy == null) {
            served = backend.resolve();
        } else {
            if (backend.aws.endpoint == null) {
                throw new IllegalArgumentException("--deploy creates resources on an emulator: give its --endpoint-url");
            }
            EmulatorStack stack = EmulatorStack.deploy(backend.aws.connection(), deploy, parsed);
            served = new Backend.Aws(backend.aws.connection(), backend.aws.endpoint, stack.inputBucket(), stack.outputBucket(),
                    stack.queueUrl(), stack.dlqUrl(), stack.archiveUrl(), stack.table());
            uploads = uploads != null ? uploads : stack.uploadsUrl();
            System.err.printf("deployed on %s: buckets %s, %s; queue %s; table %s%n", backend.aws.endpoint,
                    stack.inputBucket(), stack.outputBucket(), stack.queueUrl(), stack.table());
        }
        if (onBatchDone != null) {
            if (!(served instanceof Backend.Embedded embedded)) {
                throw new IllegalArgumentException("--on-batch-done works with the embedded backend; on AWS or an emulator,"
                        + " a rule on EventBridge's default bus gets the Batch Finished events (docs/batch-completion.md)");
            }
            served = new Backend.Embedded(embedded.state(), embedded.data(), onBatchDone);
        }
        int instances = concurrency != null ? Math.max(1, concurrency) : Runtime.getRuntime().availableProcessors();
        return new EmulatorConfig(parsed, host, port, instances, inProcess, served, uploads, ServeCommand::mountPages);
    }

    /** The batch pages over the emulator's backend; OpenCV loads at the first preview: most sessions never open a gallery. */
    private static HttpContext mountPages(HttpServer server, Pages.Backing backing) {
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
        return WebConsole.mount(server, "/", new WebConsole.Sources(backing.jobs(), backing.queue(), backing.blobs(), engine,
                EngineConfig.DEFAULT_MAX_BYTES, backing.servable(), backing.files(), specs -> {}));
    }
}
