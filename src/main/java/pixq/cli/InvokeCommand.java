package pixq.cli;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.aws.LocalContext;
import pixq.aws.SubmitHandler;
import pixq.aws.WorkerHandler;

@Command(
        name = "invoke",
        header = "Run a function of template.yaml in-process, like sam local invoke.",
        description = {"Runs a function of template.yaml in this process, as `sam local invoke` would but without Docker:",
            "its handler and Environment come from the template (a !Ref resolves to a parameter's default, and the",
            "resource names to the flags or the stack's Outputs); the response is printed as JSON."},
        footer = {"", "Examples:",
            "  pixq invoke SubmitFunction --event events/submit-list.json --stack pixq",
            "  pixq invoke WorkerFunction --event events/sqs-batch.json --endpoint-url http://127.0.0.1:5000 \\",
            "      --table jobs --queue-url http://127.0.0.1:5000/123456789012/jobs --input-bucket pixq-input --output-bucket pixq-output",
            "  pixq invoke WorkerFunction --event events/sqs-batch.json --parameter-overrides Commands=myjob=$PWD/examples/python-job/myjob.py ..."})
final class InvokeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    @Parameters(paramLabel = "FUNCTION", description = "SubmitFunction or WorkerFunction (a resource of the template).")
    String function;

    @Option(names = {"-e", "--event"}, required = true, description = "The event, as a JSON file (see events/).")
    Path event;

    @Option(names = {"-t", "--template"}, defaultValue = "template.yaml", description = "Default: ${DEFAULT-VALUE}.")
    Path template;

    @Option(names = "--parameter-overrides", paramLabel = "NAME=VALUE",
            description = "A template parameter's value instead of its default (repeatable), as for sam: Commands=myjob=/opt/job/myjob.py.")
    Map<String, String> overrides = new HashMap<>();

    @Mixin
    AwsOptions aws;

    @Override
    public Integer call() throws Exception {
        JsonNode parsed = new YAMLMapper().readTree(template.toFile());
        JsonNode fn = parsed.path("Resources").path(function);
        if (fn.isMissingNode()) {
            throw new IllegalArgumentException(template + " has no resource " + function);
        }
        Map<String, String> env = environment(parsed, fn.path("Properties"));
        int timeout = fn.path("Properties").path("Timeout").asInt(300);
        LocalContext context = new LocalContext(function, Duration.ofSeconds(timeout), 1024);
        String handler = handler(fn);
        Object response;
        if (handler.startsWith(SubmitHandler.class.getName())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> request = JSON.readValue(event.toFile(), Map.class);
            response = new SubmitHandler(env::get, aws.connection()).handleRequest(request, context);
        } else if (handler.startsWith(WorkerHandler.class.getName())) {
            response = new WorkerHandler(env::get, aws.connection()).handleRequest(sqsEvent(), context);
        } else {
            throw new IllegalArgumentException("no in-process runner for handler " + handler);
        }
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(response));
        return 0;
    }

    /** A zip function names its handler; the worker's image names it in its Dockerfile's CMD. */
    private static String handler(JsonNode fn) {
        String handler = fn.path("Properties").path("Handler").asText("");
        return !handler.isEmpty() ? handler
                : "Image".equals(fn.path("Properties").path("PackageType").asText()) ? WorkerHandler.class.getName() : "";
    }

    /** The SQSEvent Lambda's runtime would build from the event file's "Records". */
    private SQSEvent sqsEvent() throws java.io.IOException {
        java.util.List<SQSEvent.SQSMessage> records = new java.util.ArrayList<>();
        for (JsonNode r : JSON.readTree(event.toFile()).path("Records")) {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId(r.path("messageId").asText());
            m.setReceiptHandle(r.path("receiptHandle").asText());
            m.setBody(r.path("body").asText());
            m.setEventSource(r.path("eventSource").asText());
            m.setAttributes(JSON.convertValue(r.path("attributes"), new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {}));
            records.add(m);
        }
        SQSEvent sqs = new SQSEvent();
        sqs.setRecords(records);
        return sqs;
    }

    /** The function's Environment Variables with the template's references resolved; the names the flags give win. */
    private Map<String, String> environment(JsonNode template, JsonNode properties) {
        Map<String, String> env = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.path("Environment").path("Variables").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> variable = it.next();
            env.put(variable.getKey(), resolve(template, variable.getValue().asText(), overrides));
        }
        putIfNamed(env, "TABLE_NAME", aws::table);
        putIfNamed(env, "QUEUE_URL", aws::queueUrl);
        putIfNamed(env, "INPUT_BUCKETS", aws::inputBucket);
        putIfNamed(env, "OUTPUT_BUCKET", aws::outputBucket);
        return env;
    }

    private static void putIfNamed(Map<String, String> env, String variable, java.util.function.Supplier<String> name) {
        if (env.containsKey(variable)) {
            env.put(variable, name.get());
        }
    }

    /**
     * YAML drops CloudFormation's tags, so "!Ref MaxReceives" reads as "MaxReceives": a parameter's name
     * becomes its default (or its --parameter-overrides value), and ${Param} inside a !Sub likewise.
     */
    private static String resolve(JsonNode template, String value, Map<String, String> overrides) {
        JsonNode parameters = template.path("Parameters");
        if (parameters.has(value)) {
            return overrides.getOrDefault(value, parameters.path(value).path("Default").asText(""));
        }
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String resolved = !parameters.has(name) ? m.group()
                    : overrides.getOrDefault(name, parameters.path(name).path("Default").asText(""));
            m.appendReplacement(out, Matcher.quoteReplacement(resolved));
        }
        return m.appendTail(out).toString();
    }
}
