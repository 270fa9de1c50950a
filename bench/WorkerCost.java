import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import pixq.aws.AwsConnection;
import pixq.aws.SubmitHandler;
import pixq.aws.WorkerHandler;
import pixq.job.CostModel;
import pixq.job.Delivery;
import pixq.job.JobState;
import pixq.local.LocalState;
import pixq.serve.LocalContext;

/**
 * Issue 15, item 5: the worker function's CPU per image on a folder of photos, measured through WorkerHandler as
 * Lambda (and pixq serve) drives it: the submit function queues the folder, then SQS batches of 4 messages go to
 * one warm handler instance, on serve's embedded ports (state folder, buckets as folders). Prints the process CPU
 * seconds per image of a first (cold) and a second (warm) pass, and the cost per 1,000 images from the warm
 * figure at us-east-1 list prices (pixq.job.CostModel, template.yaml's worker).
 *
 * <p>Usage: {@link #USAGE}.
 */
public class WorkerCost {
    static final String USAGE = "java -cp target/pixq.jar bench/WorkerCost.java CORPUS_FOLDER [RECIPE ...]   (default: thumbnail web)";
    private static final int BATCH = CostModel.Deployment.TEMPLATE.batchSize();

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.out.println(USAGE);
            System.exit(args.length == 1 && (args[0].equals("--help") || args[0].equals("-h")) ? 0 : 2);
        }
        Path corpus = Path.of(args[0]);
        List<String> recipes = args.length > 1 ? List.of(args).subList(1, args.length) : List.of("thumbnail", "web");
        for (String recipe : recipes) {
            measure(corpus, recipe);
        }
    }

    private static void measure(Path corpus, String recipe) throws Exception {
        Path root = Files.createTempDirectory("pixq-worker-cost");
        List<Path> photos;
        try (Stream<Path> files = Files.list(corpus)) {
            photos = files.filter(f -> f.toString().matches("(?i).*\\.(jpe?g|png|webp|tiff?)$")).sorted().toList();
        }
        // Two copies under two folders: distinct inputs, so the second pass's jobs are new ones for the warm instance.
        // Copies, not links: the bucket folders refuse links that leave them.
        for (String pass : List.of("pass0", "pass1")) {
            Path folder = Files.createDirectories(root.resolve("buckets/pixq-input/" + pass));
            for (Path f : photos) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        Map<String, String> env = Map.of("PIXQ_STATE", root.resolve("state").toString(), "PIXQ_BUCKETS", root.resolve("buckets").toString(),
                "INPUT_BUCKETS", "pixq-input", "OUTPUT_BUCKET", "pixq-output");
        AwsConnection aws = AwsConnection.fromEnv();
        SubmitHandler submit = new SubmitHandler(env::get, aws);
        WorkerHandler worker = new WorkerHandler(env::get, aws);
        LocalState state = LocalState.open(root.resolve("state"));
        double[] cpuPerImage = new double[2];
        int outputs = 0;
        for (int pass = 0; pass < 2; pass++) {
            String folder = "pass" + pass;
            List<String> inputs = photos.stream().map(f -> "s3://pixq-input/" + folder + "/" + f.getFileName()).toList();
            submit.handleRequest(Map.of("inputs", inputs, "recipe", recipe, "args", List.of(), "batchId", folder),
                    new LocalContext("SubmitFunction", Duration.ofSeconds(60), 512));
            long cpu = cpuNanos();
            int images = 0;
            for (List<Delivery> batch = state.queue().receive(BATCH); !batch.isEmpty(); batch = state.queue().receive(BATCH)) {
                worker.handleRequest(event(batch), new LocalContext("WorkerFunction", Duration.ofMinutes(15), 3008));
                batch.forEach(state.queue()::delete);
                images += batch.size();
            }
            cpuPerImage[pass] = (cpuNanos() - cpu) / 1e9 / images;
            long succeeded = state.jobs().counts(folder).of(JobState.SUCCEEDED);
            if (succeeded != photos.size()) {
                throw new IllegalStateException(recipe + ": " + succeeded + " of " + photos.size() + " images succeeded");
            }
            outputs = outputsOf(root.resolve("buckets/pixq-output/" + folder), images);
        }
        deleteAll(root);
        System.out.printf("%s: %d images, outputs per image: %d; worker CPU per image: cold pass %.3f s, warm pass %.3f s%n",
                recipe, photos.size(), outputs, cpuPerImage[0], cpuPerImage[1]);
        CostModel.Usage usage = CostModel.Usage.fromCpu(1000, outputs, cpuPerImage[1], 0.05, CostModel.Deployment.TEMPLATE, 1);
        for (CostModel.Prices prices : new CostModel.Prices[] {CostModel.X86_64, CostModel.ARM64}) {
            System.out.println("  " + new CostModel(prices, CostModel.Deployment.TEMPLATE).line(usage));
        }
    }

    private static SQSEvent event(List<Delivery> batch) {
        SQSEvent event = new SQSEvent();
        event.setRecords(batch.stream().map(d -> {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId(d.messageId());
            m.setBody(d.body());
            m.setReceiptHandle(d.receipt());
            m.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(d.receiveCount())));
            return m;
        }).toList());
        return event;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static int outputsOf(Path folder, int images) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return (int) files.count() / images;
        }
    }

    private static void deleteAll(Path folder) throws Exception {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
