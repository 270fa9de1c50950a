package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pixq.aws.AwsConnection;
import pixq.aws.DynamoJobStore;
import pixq.aws.Moto;
import pixq.job.Job;
import pixq.job.JobState;

/**
 * The emulator backend as a user drives it: `pixq serve --endpoint-url MOTO --deploy NAME`, then the real
 * AWS CLI copies images into the input bucket, and the outputs appear in the output bucket with SUCCEEDED
 * records in the table, through moto's S3 → SQS notification, the submit function, the job queue and the
 * worker function (runtime-client JVMs), with no other step.
 */
@ExtendWith(Moto.class)
class ServeOnEmulatorTest {
    @TempDir
    Path dir;

    @Test
    void awsS3CpIntoTheInputBucketEndsWithOutputsAndSucceededRecords() throws Exception {
        AwsConnection aws = Moto.connection();
        String name = Moto.unique("serve");
        ServeCommand serve = servingOnMoto(aws, name);
        try {
            ServeTest.image(dir.resolve("IMG 0001 (1).jpg"), "jpg", 640, 480);
            ServeTest.image(dir.resolve("photo.png"), "png", 300, 500);
            AwsCli cli = AwsCli.v1();
            for (String file : List.of("IMG 0001 (1).jpg", "photo.png")) {
                AwsCli.Result r = cli.run(dir, "--endpoint-url", aws.endpoint().toString(), "s3", "cp", file,
                        "s3://" + name + "-input/incoming/" + file);
                assertEquals(0, r.exit(), r.err());
            }
            var s3 = aws.s3();
            ServeTest.await(() -> s3.listObjectsV2(b -> b.bucket(name + "-output")).contents().size() == 2);
            List<String> keys = s3.listObjectsV2(b -> b.bucket(name + "-output")).contents().stream().map(o -> o.key()).sorted().toList();
            assertEquals(List.of("incoming/IMG 0001 (1)-thumb.jpg", "incoming/photo-thumb.jpg"), keys);
            DynamoJobStore store = new DynamoJobStore(aws.dynamo(), name + "-jobs");
            ServeTest.await(() -> store.list(null, JobState.SUCCEEDED, 10).size() == 2);
            for (Job job : store.list(null, null, 10)) {
                assertEquals(JobState.SUCCEEDED, job.state(), job.toString());
                assertTrue(job.spec().input().startsWith("s3://" + name + "-input/incoming/"), job.toString());
            }
        } finally {
            serve.stop();
        }
    }

    @Test
    void aDeadLetterIsSettledByTheDeadLetterFunctionIntoTheDeployedArchive() throws Exception {
        AwsConnection aws = Moto.connection();
        String name = Moto.unique("serve-dlq");
        ServeCommand serve = servingOnMoto(aws, name);
        try (var sqs = aws.sqs()) {
            String dlq = sqs.getQueueUrl(b -> b.queueName(name + "-dead-letter")).queueUrl();
            String archive = sqs.getQueueUrl(b -> b.queueName(name + "-dead-letter-archive")).queueUrl();
            sqs.sendMessage(b -> b.queueUrl(dlq).messageBody("not a job message"));
            List<String> archived = new java.util.ArrayList<>();
            ServeTest.await(() -> {
                sqs.receiveMessage(b -> b.queueUrl(archive).waitTimeSeconds(1)).messages().forEach(m -> archived.add(m.body()));
                return !archived.isEmpty();
            });
            assertEquals(List.of("not a job message"), archived);
        } finally {
            serve.stop();
        }
    }

    /** pixq serve on moto, its stack deployed there as NAME, one instance per function. */
    private static ServeCommand servingOnMoto(AwsConnection aws, String name) throws Exception {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--port", "0", "--endpoint-url", aws.endpoint().toString(), "--region", "us-east-1",
                "--deploy", name, "--concurrency", "1");
        serve.start();
        return serve;
    }
}
