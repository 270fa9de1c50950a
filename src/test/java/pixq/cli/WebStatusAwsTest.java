package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.T0;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;
import pixq.web.WebConsole;
import pixq.aws.AwsConnection;
import pixq.aws.DynamoJobStore;
import pixq.aws.Moto;
import pixq.job.Job;
import pixq.web.WebStatus;
import pixq.job.JobState;
import software.amazon.awssdk.core.sync.RequestBody;
import pixq.recipe.Json;

/** {@code pixq status --web} on a stack (moto): counts from DynamoDB, previews and sizes read from S3, retry onto SQS. */
@ExtendWith(Moto.class)
class WebStatusAwsTest {
    private static final ObjectMapper JSON = Json.MAPPER;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void the_pages_read_the_stacks_table_and_buckets_and_retry_sends_the_job_to_its_queue() throws Exception {
        AwsConnection aws = Moto.connection();
        String table = Moto.unique("web-jobs");
        DynamoJobStore.createTable(aws.dynamo(), table);
        String queueUrl = aws.sqs().createQueue(b -> b.queueName(Moto.unique("web-jobs"))).queueUrl();
        String in = Moto.unique("web-in");
        String out = Moto.unique("web-out");
        String elsewhere = Moto.unique("web-other");
        for (String bucket : List.of(in, out, elsewhere)) {
            aws.s3().createBucket(b -> b.bucket(bucket));
        }
        byte[] photo = jpeg(1000, 600);
        byte[] thumb = jpeg(250, 150);
        put(aws, in, "photos/a b.jpg", photo);
        put(aws, out, "photos/a b-thumb.jpg", thumb);
        put(aws, elsewhere, "secret.jpg", photo);
        DynamoJobStore store = new DynamoJobStore(aws.dynamo(), table);
        Job done = aJob().spec(aSpec().batch("s3-1").input("s3://" + in + "/photos/a b.jpg").output("s3://" + out + "/photos"))
                .state(JobState.SUCCEEDED).attempts(1).createdAt(T0).startedAt(T0).finishedAt(T0.plusSeconds(2))
                .outputs("s3://" + out + "/photos/a b-thumb.jpg").build();
        Job failed = aJob().spec(aSpec().batch("s3-1").input("s3://" + elsewhere + "/secret.jpg").output("s3://" + out + "/x"))
                .state(JobState.FAILED).attempts(3).lastError("read timed out").createdAt(T0).startedAt(T0).finishedAt(T0.plusSeconds(3)).build();
        store.insertNew(List.of(done, failed));

        StatusCommand command = new StatusCommand();
        new CommandLine(command).parseArgs("--web", "--port", "0", "--endpoint-url", aws.endpoint().toString(), "--region", "us-east-1",
                "--table", table, "--queue-url", queueUrl, "--input-bucket", in, "--output-bucket", out);
        try (WebStatus web = command.pages()) {
            URI base = web.url();
            JsonNode batch = json(base.resolve("api/batch?id=s3-1"));
            assertEquals(1, batch.get("batch").get("counts").get("SUCCEEDED").asInt());
            assertEquals(1, batch.get("batch").get("counts").get("FAILED").asInt());

            JsonNode card = json(base.resolve("api/gallery?id=s3-1")).get("items").get(0);
            assertEquals(photo.length, card.get("blobs").get(0).get("bytes").asInt());
            assertEquals(thumb.length, card.get("blobs").get(1).get("bytes").asInt());
            HttpResponse<byte[]> preview = http.send(HttpRequest.newBuilder(base.resolve("thumb?job=" + done.id() + "&i=0")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, preview.statusCode());
            BufferedImage small = ImageIO.read(new ByteArrayInputStream(preview.body()));
            assertEquals(WebConsole.THUMBNAIL_BOX + "x192", small.getWidth() + "x" + small.getHeight());
            // the failed job's input lies in a bucket the stack does not name: never served
            assertEquals(404, http.send(HttpRequest.newBuilder(base.resolve("image?job=" + failed.id() + "&i=0")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());

            String page = http.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString()).body();
            String token = page.replaceFirst("(?s).*name=\"pixq-token\" content=\"([0-9a-f]+)\".*", "$1");
            HttpResponse<String> retry = http.send(HttpRequest.newBuilder(base.resolve("api/retry")).header("X-Pixq-Token", token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"job\":\"" + failed.id() + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, retry.statusCode(), retry.body());
        }
        assertEquals(JobState.QUEUED, store.find(failed.id()).orElseThrow().state());
        List<String> bodies = aws.sqs().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)).messages().stream()
                .map(m -> m.body()).toList();
        assertTrue(bodies.stream().anyMatch(b -> b.contains(failed.id())), bodies.toString());
    }

    private JsonNode json(URI url) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return JSON.readTree(answer.body());
    }

    private static void put(AwsConnection aws, String bucket, String key, byte[] bytes) {
        aws.s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    /** A plain JPEG written by ImageIO, independent of pixq's engine. */
    private static byte[] jpeg(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.getGraphics().fillRect(width / 4, height / 4, width / 2, height / 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", bytes);
        return bytes.toByteArray();
    }
}
