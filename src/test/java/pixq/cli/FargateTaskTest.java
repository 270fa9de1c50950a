package pixq.cli;

import pixq.serve.WorkerImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;

/**
 * The Fargate task of template.yaml runs what the worker image holds: `java @/opt/pixq/classpath @/opt/pixq/jvm.options pixq.cli.Main worker ...`
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

        // the image's class path and JVM options, as its entry point gives them, and Main as the class to run
        assertEquals("java", container.path("EntryPoint").get(0).asText());
        int main = command.indexOf(Main.class.getName());
        assertEquals(List.of("@/opt/pixq/classpath", "@/opt/pixq/jvm.options"), command.subList(0, main));
        assertTrue(WorkerImage.jvmOptions(WorkerImage.instruction("ENTRYPOINT", null)).containsAll(command.subList(0, main)));

        // then `pixq worker` accepts every option, the long job's limit as its time limit (the lease is the queue's)
        ParseResult parsed = Main.commandLine().parseArgs(command.subList(main + 1, command.size()).toArray(String[]::new));
        ParseResult worker = parsed.subcommand();
        assertEquals("worker", worker.commandSpec().name());
        assertEquals(Duration.ofHours(1), worker.matchedOptionValue("--time-limit", null));
        assertEquals("LongJobQueue", worker.matchedOptionValue("--queue-url", null));
        assertEquals(List.of("AWS_REGION", "COMMANDS", "COMMAND_TIMEOUT_SECONDS", "MAX_PIXELS"),
                container.path("Environment").findValuesAsText("Name"));
    }
}
