package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

/**
 * The Fargate task of template.yaml runs what the worker image holds: `java -cp /var/task/lib/* pixq.cli.Main worker ...`
 * with options `pixq worker` accepts. (No Docker here: the image cannot be built, so its parts are checked one by one.)
 */
class FargateTaskTest {
    @Test
    void theTaskRunsPixqWorkerFromTheImagesJarWithOptionsItAccepts() throws Exception {
        JsonNode template = new YAMLMapper().readTree(Path.of("template.yaml").toFile());
        JsonNode container = template.path("Resources").path("WorkerTaskDefinition").path("Properties").path("ContainerDefinitions").get(0);
        // YAML drops CloudFormation's tags: "!Ref MaxReceives" reads "MaxReceives" (a parameter: its default here),
        // "!Ref LongJobQueue" reads "LongJobQueue", "!Sub PT${LongJobTimeout}S" as is
        JsonNode parameters = template.path("Parameters");
        List<String> command = new ArrayList<>();
        container.path("Command").forEach(word -> command.add(parameters.has(word.asText())
                ? parameters.path(word.asText()).path("Default").asText()
                : word.asText().replace("${LongJobTimeout}", parameters.path("LongJobTimeout").path("Default").asText())));

        // the jar where the worker image puts it, and Main as the class to run
        assertEquals("java", container.path("EntryPoint").get(0).asText());
        assertEquals(List.of("-cp", "/var/task/lib/*", Main.class.getName()), command.subList(0, 3));
        String dockerfile = Files.readString(Path.of("functions/worker/Dockerfile"));
        assertTrue(dockerfile.contains("${LAMBDA_TASK_ROOT}/lib/") && dockerfile.contains("public.ecr.aws/lambda/java"), dockerfile);

        // then `pixq worker` accepts every option, the lease as the long job's limit
        ParseResult parsed = Main.commandLine().parseArgs(command.subList(3, command.size()).toArray(String[]::new));
        ParseResult worker = parsed.subcommand();
        assertEquals("worker", worker.commandSpec().name());
        assertEquals(Duration.ofHours(1), worker.matchedOptionValue("--lease", null));
        assertEquals("LongJobQueue", worker.matchedOptionValue("--queue-url", null));
        assertEquals(List.of("AWS_REGION", "COMMANDS", "COMMAND_TIMEOUT_SECONDS", "MAX_PIXELS"),
                container.path("Environment").findValuesAsText("Name"));
    }
}
