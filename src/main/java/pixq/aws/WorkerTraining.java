package pixq.aws;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import pixq.image.Rendition;
import pixq.recipe.Recipes;
import pixq.recipe.Json;
import pixq.worker.WorkerConfig;

/**
 * The worker's start-up, run once without AWS: the handler built as Lambda builds it at init (class loading, SDK
 * clients, OpenCV's libraries), one image through the engine with the {@code thumbnail} recipe, and an SQS event
 * and a batch response through the serializers Lambda's runtime client builds at init. The worker image's build
 * runs it under {@code -XX:AOTCacheOutput} (functions/worker/Dockerfile), so that every cold start finds those
 * classes already loaded and linked.
 *
 * <pre>java -cp ... pixq.aws.WorkerTraining IMAGE</pre>
 *
 * Prints one JSON line: the handler class, init and render times in ms, the output's size.
 */
final class WorkerTraining {
    /** Where a training run without a deployment finds its table name and region; nothing is ever called. */
    private static final Map<String, String> OFFLINE = Map.of("TABLE_NAME", "pixq-training", "AWS_REGION", "us-east-1");

    private WorkerTraining() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: pixq.aws.WorkerTraining IMAGE");
        }
        System.out.println(Json.MAPPER.writeValueAsString(run(Path.of(args[0]))));
    }

    private static Map<String, Object> run(Path image) throws Exception {
        Function<String, String> env = name -> System.getenv(name) != null ? System.getenv(name) : OFFLINE.get(name);
        long start = System.nanoTime();
        AwsConnection aws = new AwsConnection(env.apply("AWS_REGION"), null);
        WorkerHandler handler = new WorkerHandler(env, aws);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("handler", handler.getClass().getName());
        report.put("initMs", (System.nanoTime() - start) / 1_000_000);
        var engine = Engines.fromEnv(env, new S3BlobStore(aws.s3()), WorkerConfig.defaults().parallelism());
        long before = System.nanoTime();
        List<Rendition> out = engine.render(Files.readAllBytes(image), Recipes.resolve("thumbnail"), List.of());
        report.put("renderMs", (System.nanoTime() - before) / 1_000_000);
        report.put("outputBytes", out.get(0).bytes().length);
        eventRoundTrip();
        return report;
    }

    /**
     * What Lambda's runtime client (on the image's class path) does with an SQS batch at the edges: the event parsed
     * and the response written by the serializers it makes for the handler's types at init, some 800 classes.
     */
    private static void eventRoundTrip() {
        String event = "{\"Records\":[{\"messageId\":\"m-1\",\"receiptHandle\":\"r-1\",\"body\":\"{}\",\"attributes\":"
                + "{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"0\"},\"messageAttributes\":{},\"eventSource\":\"aws:sqs\","
                + "\"eventSourceARN\":\"arn:aws:sqs:us-east-1:000000000000:jobs\",\"awsRegion\":\"us-east-1\"}]}";
        ClassLoader loader = WorkerTraining.class.getClassLoader();
        SQSEvent parsed = LambdaEventSerializers.serializerFor(SQSEvent.class, loader).fromJson(event);
        LambdaEventSerializers.serializerFor(SQSBatchResponse.class, loader).toJson(new SQSBatchResponse(List.of(
                new SQSBatchResponse.BatchItemFailure(parsed.getRecords().get(0).getMessageId()))), OutputStream.nullOutputStream());
    }
}
