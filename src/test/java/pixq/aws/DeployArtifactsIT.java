package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy artifacts `mvn package` builds, checked as Lambda will use them (runs after `package`):
 * `sam build`'s makefile target for the submit function gives the layout Lambda's Java runtime loads, and
 * the handler starts from its artifact alone. (The worker's image: WorkerImageIT.)
 */
class DeployArtifactsIT {
    private static final Map<String, String> SUBMIT_ENV = Map.of("TABLE_NAME", "jobs", "QUEUE_URL",
            "https://sqs.us-east-1.amazonaws.com/123456789012/jobs", "INPUT_BUCKETS", "in", "OUTPUT_BUCKET", "out", "AWS_REGION", "us-east-1");

    @TempDir
    Path scratch;

    @Test
    void samBuildMakefileTargetGivesLambdaLayoutAndTheSubmitHandlerLoadsFromItAlone() throws Exception {
        // given
        Path artifacts = scratch.resolve("SubmitFunction");

        // when
        Artifacts.Run make = Artifacts.buildSubmit(artifacts);
        Artifacts.Run probe = Artifacts.probe(artifacts.resolve("lib"), SUBMIT_ENV, "submit");

        // then
        assertEquals(0, make.exit(), make.output());
        try (Stream<Path> files = Files.list(artifacts)) {
            assertEquals(List.of(artifacts.resolve("lib")), files.toList(), "only lib/ at the artifact's root");
        }
        assertTrue(Files.size(artifacts.resolve("lib/pixq-submit.jar")) > 0);
        assertEquals(0, probe.exit(), probe.output());
        assertTrue(probe.output().contains("\"handler\":\"pixq.aws.SubmitHandler\""), probe.output());
    }

    @Test
    void makefileSaysHowToBuildAMissingJar() throws Exception {
        // when
        Artifacts.Run make = Artifacts.buildSubmit(scratch, "JAR=target/missing.jar");

        // then
        assertEquals(2, make.exit(), make.output());
        assertTrue(make.output().contains("target/missing.jar is missing: run 'mvn -B package -DskipTests' first"), make.output());
    }
}
