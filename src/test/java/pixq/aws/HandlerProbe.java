package pixq.aws;

import pixq.serve.LocalContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import pixq.recipe.Json;

/**
 * Starts the submit function's handler the way Lambda's Java runtime does, in a fresh JVM whose class path is only
 * its artifact: {@code java -cp 'ARTIFACT/lib/*' src/test/java/pixq/aws/HandlerProbe.java submit [EVENT]} (the source
 * launcher compiles this file against that class path alone); with an event file, the handler handles it. Prints one
 * JSON line: the handler class, its init time, the response, and the JVM's uptime at the end. Used by
 * DeployArtifactsIT and SubmitArtifactIT (the worker's image has WorkerImageIT).
 */
final class HandlerProbe {
    private static final ObjectMapper JSON = Json.MAPPER;

    public static void main(String[] args) throws Exception {
        if (!"submit".equals(args[0])) {
            throw new IllegalArgumentException("submit, not " + args[0]);
        }
        long start = System.nanoTime();
        Map<String, Object> report = new LinkedHashMap<>();
        SubmitHandler handler = new SubmitHandler();
        report.put("handler", handler.getClass().getName());
        report.put("initMs", (System.nanoTime() - start) / 1_000_000);
        if (args.length > 1) {
            @SuppressWarnings("unchecked")
            Map<String, Object> event = JSON.readValue(Path.of(args[1]).toFile(), Map.class);
            report.put("response", handler.handleRequest(event, new LocalContext("SubmitFunction", Duration.ofMinutes(5), 1024)));
        }
        report.put("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime());
        System.out.println(JSON.writeValueAsString(report));
    }
}
