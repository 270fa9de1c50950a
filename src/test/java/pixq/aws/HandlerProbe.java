package pixq.aws;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts a function's handler the way Lambda's Java runtime does, in a fresh JVM whose class path is only the
 * function's artifact: {@code java -cp 'ARTIFACT/lib/*' src/test/java/pixq/aws/HandlerProbe.java submit [EVENT]}
 * or {@code ... worker IMAGE} (the source launcher compiles this file against that class path alone). With an
 * event file, the submit handler handles it; the worker is built and thumbnails the image ({@link WorkerTraining}). Prints one JSON
 * line: the handler class, its init time (class loading, clients, OpenCV), the response or the render's time and
 * output size, and the JVM's uptime at the end. Used by DeployArtifactsIT, SubmitArtifactIT and bench/startup.py.
 */
final class HandlerProbe {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        Map<String, Object> report = new LinkedHashMap<>();
        switch (args[0]) {
            case "submit" -> {
                SubmitHandler handler = new SubmitHandler();
                report.put("handler", handler.getClass().getName());
                report.put("initMs", (System.nanoTime() - start) / 1_000_000);
                if (args.length > 1) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> event = JSON.readValue(Path.of(args[1]).toFile(), Map.class);
                    report.put("response", handler.handleRequest(event, new LocalContext("SubmitFunction", Duration.ofMinutes(5), 1024)));
                }
            }
            case "worker" -> report.putAll(WorkerTraining.run(Path.of(args[1])));
            default -> throw new IllegalArgumentException("submit or worker, not " + args[0]);
        }
        report.put("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime());
        System.out.println(JSON.writeValueAsString(report));
    }
}
