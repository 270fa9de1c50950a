package pixq.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import pixq.job.MissingTool;

/**
 * template.yaml passes cfn-lint (skipped where cfn-lint is not installed, but never under CI=true), and grants
 * no data-plane action on every resource of the account.
 */
class TemplateTest {

    @Test
    void templateIsCleanForCfnLint() throws Exception {
        if (!MissingTool.onPath("cfn-lint")) {
            MissingTool.skipOrFail("cfn-lint is not on PATH (pip install cfn-lint)");
        }
        // given
        Path log = Files.createTempFile("cfn-lint", ".log");

        // when
        Process p = new ProcessBuilder("cfn-lint", "template.yaml").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(2, TimeUnit.MINUTES);

        // then
        assertEquals(0, finished ? p.exitValue() : -1, "cfn-lint template.yaml:\n" + Files.readString(log));
    }

    @Test
    void noStatementGrantsQueueTableOrBucketActionsOnEveryResource() throws Exception {
        // given (YAML drops CloudFormation's tags: "!GetAtt JobQueue.Arn" reads as "JobQueue.Arn")
        JsonNode template = new YAMLMapper().readTree(new File("template.yaml"));
        List<JsonNode> statements = new ArrayList<>();
        template.findValues("Statement").forEach(list -> list.forEach(statements::add));

        // when
        List<String> tooWide = statements.stream()
                .filter(st -> "Allow".equals(st.path("Effect").asText()))
                .filter(st -> st.path("Action").toString().matches(".*\\b(sqs|dynamodb|s3):.*"))
                .filter(st -> st.path("Resource").toString().contains("\"*\""))
                .map(JsonNode::toString).toList();
        JsonNode worker = template.path("Resources").path("WorkerFunction").path("Properties");

        // then
        assertTrue(statements.size() >= 5, "the template's policy statements were found");
        assertEquals(List.of(), tooWide);
        assertFalse(worker.path("Role").isMissingNode(), "the worker has its own role, so SAM adds no SQS policy over every queue");
        assertTrue(worker.path("Policies").isMissingNode(), "the worker's permissions live in its role");
    }
}
