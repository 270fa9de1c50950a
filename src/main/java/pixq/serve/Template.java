package pixq.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import pixq.aws.WorkerHandler;

/**
 * template.yaml as {@code pixq invoke} and {@code pixq serve} read it: each function's handler,
 * environment, timeout and memory, and its event sources (SQS queues, S3 uploads), whatever the functions.
 */
public final class Template {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    /** An SQS event source mapping, with the settings Lambda's poller honours. */
    public record QueueSource(String queue, int batchSize, Duration window, int maxConcurrency, boolean reportFailures) {}

    /** An S3 ObjectCreated trigger on a bucket resource, under a key prefix. */
    public record UploadSource(String bucket, String prefix) {}

    public record Function(String name, String handler, Map<String, String> env, Duration timeout, int memoryMb,
            List<QueueSource> queues, List<UploadSource> uploads) {}

    private final Path path;
    private final JsonNode root;
    private final Map<String, String> overrides;

    private Template(Path path, JsonNode root, Map<String, String> overrides) {
        this.path = path;
        this.root = root;
        this.overrides = Map.copyOf(overrides);
    }

    /** @param overrides parameters' values instead of their defaults, as sam's --parameter-overrides */
    public static Template read(Path path, Map<String, String> overrides) throws IOException {
        if (!path.toFile().isFile()) {
            throw new IllegalArgumentException("no template at " + path + ": run from the project folder, or give --template");
        }
        JsonNode root = new YAMLMapper().readTree(path.toFile());
        for (String name : overrides.keySet()) {
            if (!root.path("Parameters").has(name)) {
                throw new IllegalArgumentException(path + " has no parameter " + name + " to override");
            }
        }
        return new Template(path, root, overrides);
    }

    public Function function(String name) {
        JsonNode fn = root.path("Resources").path(name);
        if (!"AWS::Serverless::Function".equals(fn.path("Type").asText())) {
            throw new IllegalArgumentException(path + " has no function " + name + " (functions: " + functionNames() + ")");
        }
        JsonNode p = fn.path("Properties");
        Map<String, String> env = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = p.path("Environment").path("Variables").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> variable = it.next();
            env.put(variable.getKey(), resolve(variable.getValue()));
        }
        List<QueueSource> queues = new ArrayList<>();
        List<UploadSource> uploads = new ArrayList<>();
        for (JsonNode event : p.path("Events")) {
            JsonNode e = event.path("Properties");
            switch (event.path("Type").asText()) {
                case "SQS" -> queues.add(new QueueSource(resource(e.path("Queue")), integer(e.path("BatchSize"), 10),
                        Duration.ofSeconds(integer(e.path("MaximumBatchingWindowInSeconds"), 0)),
                        integer(e.path("ScalingConfig").path("MaximumConcurrency"), 1000),
                        e.path("FunctionResponseTypes").toString().contains("ReportBatchItemFailures")));
                case "S3" -> uploads.add(new UploadSource(resource(e.path("Bucket")), prefix(e.path("Filter"))));
                default -> { } // API, schedules...: no such source here
            }
        }
        return new Function(name, handler(p), env, Duration.ofSeconds(integer(p.path("Timeout"), 3)),
                integer(p.path("MemorySize"), 128), queues, uploads);
    }

    public List<String> functionNames() {
        List<String> names = new ArrayList<>();
        root.path("Resources").fields().forEachRemaining(r -> {
            if ("AWS::Serverless::Function".equals(r.getValue().path("Type").asText())) {
                names.add(r.getKey());
            }
        });
        return names;
    }

    /** The Outputs entry whose value is this resource (QueueUrl for JobQueue), or null. */
    String outputOf(String resource) {
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("Outputs").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> output = it.next();
            if (resource.equals(output.getValue().path("Value").asText())) {
                return output.getKey();
            }
        }
        return null;
    }

    /** A parameter's value: its override, else its default. */
    public String parameter(String name) {
        return overrides.getOrDefault(name, root.path("Parameters").path(name).path("Default").asText(""));
    }

    /** A zip function names its handler; the worker's image names it in its Dockerfile's CMD. */
    private static String handler(JsonNode properties) {
        String handler = properties.path("Handler").asText("");
        return !handler.isEmpty() ? handler
                : "Image".equals(properties.path("PackageType").asText()) ? WorkerHandler.class.getName() + "::handleRequest" : "";
    }

    private String prefix(JsonNode filter) {
        for (JsonNode rule : filter.path("S3Key").path("Rules")) {
            if ("prefix".equalsIgnoreCase(rule.path("Name").asText())) {
                return resolve(rule.path("Value"));
            }
        }
        return "";
    }

    /** "!GetAtt JobQueue.Arn" and "!Ref JobQueue" both read as the resource's name. */
    private static String resource(JsonNode ref) {
        String text = ref.asText();
        return text.contains(".") ? text.substring(0, text.indexOf('.')) : text;
    }

    private int integer(JsonNode value, int fallback) {
        String text = resolve(value);
        return text.isBlank() ? fallback : Integer.parseInt(text.strip());
    }

    /**
     * YAML drops CloudFormation's tags, so "!Ref MaxReceives" reads as "MaxReceives": a parameter's name
     * becomes its value, and ${Param} inside a !Sub likewise. ("!If [...]" reads as a list: empty.)
     */
    private String resolve(JsonNode node) {
        String value = node.asText("");
        if (root.path("Parameters").has(value)) {
            return parameter(value);
        }
        Matcher m = PLACEHOLDER.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            m.appendReplacement(out, Matcher.quoteReplacement(root.path("Parameters").has(name) ? parameter(name) : m.group()));
        }
        return m.appendTail(out).toString();
    }
}
