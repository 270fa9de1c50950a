package pixq.aws;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import pixq.image.Rendition;
import pixq.recipe.Recipes;

/**
 * Starts a function's handler the way Lambda's Java runtime does, in a fresh JVM whose class path is only the
 * function's artifact: {@code java -cp 'ARTIFACT/lib/*' src/test/java/pixq/aws/HandlerProbe.java submit|worker
 * [IMAGE]} (the source launcher compiles this file against that class path alone). For the worker, also
 * thumbnails IMAGE with the worker's engine. Prints one JSON line: the handler class, its init time (class
 * loading, clients, OpenCV), the render time and output size, and the JVM's uptime at the end.
 * Used by DeployArtifactsIT and bench/startup.sh.
 */
final class HandlerProbe {
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        Object handler = switch (args[0]) {
            case "submit" -> new SubmitHandler();
            case "worker" -> new WorkerHandler();
            default -> throw new IllegalArgumentException("submit or worker, not " + args[0]);
        };
        long init = System.nanoTime();
        long renderMs = -1;
        int outputBytes = -1;
        if (args.length > 1) {
            byte[] input = Files.readAllBytes(Path.of(args[1]));
            var engine = Engines.fromEnv(System::getenv, new S3BlobStore(AwsConnection.fromEnv().s3()));
            long before = System.nanoTime();
            List<Rendition> out = engine.render(input, Recipes.resolve("thumbnail"), List.of());
            renderMs = (System.nanoTime() - before) / 1_000_000;
            outputBytes = out.get(0).bytes().length;
        }
        System.out.printf("{\"handler\": \"%s\", \"initMs\": %d, \"renderMs\": %d, \"outputBytes\": %d, \"uptimeMs\": %d}%n",
                handler.getClass().getName(), (init - start) / 1_000_000, renderMs, outputBytes,
                ManagementFactory.getRuntimeMXBean().getUptime());
    }
}
