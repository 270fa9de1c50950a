package pixq.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.serve.Template;
import pixq.serve.InProcessFunction;
import pixq.serve.FunctionInstance;
import pixq.recipe.Json;

@Command(
        name = "invoke",
        header = "Run a function of template.yaml in-process, like sam local invoke.",
        mixinStandardHelpOptions = true,
        description = {"Runs a function of template.yaml in this process, as `sam local invoke` would but without Docker:",
            "its handler and Environment come from the template (a !Ref resolves to a parameter's default, and the",
            "resource names to the backend's); the response, or the function's error, is printed as JSON.",
            "By default the functions work on the embedded backend of `pixq serve` (buckets pixq-input and",
            "pixq-output as folders under --data, the queue and job records in --state), where the sample events",
            "work as they stand; AWS options point them at an emulator or a stack instead."},
        footer = {"", "Examples:",
            "  pixq invoke SubmitFunction --event events/submit-list.json",
            "  pixq invoke WorkerFunction --event events/sqs-batch.json",
            "  pixq invoke SubmitFunction --event events/submit-prefix.json --stack pixq",
            "  pixq invoke WorkerFunction --event events/sqs-batch.json --endpoint-url http://127.0.0.1:5000 \\",
            "      --table jobs --queue-url http://127.0.0.1:5000/123456789012/jobs --input-bucket pixq-input --output-bucket pixq-output",
            "  pixq invoke WorkerFunction --event events/sqs-batch.json --parameter-overrides Commands=myjob=$PWD/examples/python-job/myjob.py",
            "", "Exit codes: 0 the function answered, 1 it failed (its error is printed)."})
final class InvokeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = Json.MAPPER;

    @Parameters(paramLabel = "FUNCTION", description = "A function of the template: SubmitFunction or WorkerFunction.")
    String function;

    @Option(names = {"-e", "--event"}, required = true, description = "The event, as a JSON file (see events/).")
    Path event;

    @Mixin
    TemplateOptions template;

    @Mixin
    FunctionsBackend backend;

    @Override
    public Integer call() throws Exception {
        Template.Function fn = template.read().function(function);
        var instance = new InProcessFunction(fn, backend.resolve().environment(fn), backend.aws.connection());
        FunctionInstance.Outcome outcome = instance.invoke(UUID.randomUUID().toString(), Files.readAllBytes(event), fn.timeout());
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(outcome.payload())));
        return outcome.failed() ? 1 : 0;
    }
}
