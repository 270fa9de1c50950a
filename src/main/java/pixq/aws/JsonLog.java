package pixq.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import pixq.recipe.Json;

/**
 * Structured logs inside Lambda: one JSON object per line on stdout, which CloudWatch Logs Insights
 * queries by field ({@code level}, {@code message}, {@code jobId}, {@code requestId}, ...). Also writes
 * CloudWatch metrics in Embedded Metric Format, which CloudWatch extracts from the same log stream.
 */
public final class JsonLog {
    static final String NAMESPACE = "pixq";
    private static final ObjectMapper JSON = Json.MAPPER;

    private final PrintStream out;
    private final Clock clock;
    private final Map<String, Object> context;

    public JsonLog(PrintStream out, Clock clock, Map<String, Object> context) {
        this.out = out;
        this.clock = clock;
        this.context = Map.copyOf(context);
    }

    public void info(String message, Map<String, ?> fields) {
        log("INFO", message, fields);
    }

    public void warn(String message, Map<String, ?> fields) {
        log("WARN", message, fields);
    }

    public void error(String message, Map<String, ?> fields) {
        log("ERROR", message, fields);
    }

    private void log(String level, String message, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", clock.instant().toString());
        line.put("level", level);
        line.put("message", message);
        line.putAll(context);
        fields.forEach((k, v) -> {
            if (v != null) {
                line.put(k, v);
            }
        });
        print(line);
    }

    /**
     * One EMF record: the metrics (name → value) with their units, under the given dimensions.
     *
     * @param units metric name → CloudWatch unit ("Count", "Milliseconds", "Bytes")
     */
    public void metrics(Map<String, String> dimensions, Map<String, ? extends Number> values, Map<String, String> units) {
        Map<String, Object> line = new LinkedHashMap<>(dimensions);
        line.putAll(values);
        line.put("_aws", Map.of(
                "Timestamp", clock.millis(),
                "CloudWatchMetrics", java.util.List.of(Map.of(
                        "Namespace", NAMESPACE,
                        "Dimensions", java.util.List.of(java.util.List.copyOf(dimensions.keySet())),
                        "Metrics", values.keySet().stream()
                                .map(name -> Map.of("Name", name, "Unit", units.getOrDefault(name, "None")))
                                .toList()))));
        print(line);
    }

    private void print(Map<String, Object> line) {
        try {
            out.println(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            out.println("{\"level\":\"ERROR\",\"message\":\"unloggable record\"}");
        }
    }
}
