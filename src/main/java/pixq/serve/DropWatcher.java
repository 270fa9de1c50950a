package pixq.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import pixq.local.LocalFolderBlobStore;
import pixq.recipe.Json;

/**
 * The embedded backend's S3 trigger: a file that appears under the input bucket's folder and prefix is
 * handed to the function as the S3 ObjectCreated event S3 would send, once its size has held still for a
 * scan (a file still being copied is not an upload yet). Each file is sent once: what was sent is kept in
 * {@code record} (key and version: size, modification time), so a restart sends only what is new or changed. A failed
 * invocation is tried three times, as Lambda tries an asynchronous event, and then given up, saying so.
 */
final class DropWatcher {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final int ATTEMPTS = 3;

    private final Path bucketFolder;
    private final String bucket;
    private final String prefix;
    private final Path record;
    private final ServedFunction function;
    private final Consumer<String> log;
    private final Map<String, String> sent = new HashMap<>();
    private final Map<String, String> seenOnce = new HashMap<>();
    private final Map<String, Integer> attempts = new HashMap<>();

    DropWatcher(Path bucketFolder, String bucket, String prefix, Path record, ServedFunction function, Consumer<String> log) throws IOException {
        this.bucketFolder = bucketFolder;
        this.bucket = bucket;
        this.prefix = prefix;
        this.record = record;
        this.function = function;
        this.log = log;
        if (Files.exists(record)) {
            for (String line : Files.readAllLines(record, StandardCharsets.UTF_8)) {
                int tab = line.lastIndexOf('\t');
                if (tab > 0) {
                    sent.put(line.substring(0, tab), line.substring(tab + 1));
                }
            }
        }
    }

    /** Scans every {@code interval} until {@code stop}; an invocation under way is finished first. */
    void watch(BooleanSupplier stop, long intervalMillis) throws InterruptedException {
        while (!stop.getAsBoolean()) {
            try {
                scan(stop);
            } catch (IOException | RuntimeException e) {
                log.accept("watching " + bucketFolder + ": " + e.getMessage());
            }
            Thread.sleep(intervalMillis);
        }
    }

    void scan(BooleanSupplier stop) throws IOException, InterruptedException {
        Path folder = bucketFolder.resolve(prefix.substring(0, prefix.lastIndexOf('/') + 1));
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            String key = bucketFolder.relativize(file).toString().replace('\\', '/');
            if (stop.getAsBoolean()) {
                return;
            }
            if (!key.startsWith(prefix) || hidden(key)) {
                continue;
            }
            String version = LocalFolderBlobStore.version(file);
            if (version.equals(sent.get(key))) {
                continue;
            }
            if (!version.equals(seenOnce.put(key, version))) {
                continue; // new or still changing: wait for it to hold still
            }
            send(key, version, Files.size(file));
        }
    }

    private void send(String key, String version, long size) throws IOException, InterruptedException {
        FunctionInstance.Outcome outcome = function.invoke(UUID.randomUUID().toString(), event(key, version, size));
        int attempt = attempts.merge(key, 1, Integer::sum);
        if (outcome.failed() && attempt < ATTEMPTS) {
            log.accept(function.name() + " failed on s3://" + bucket + "/" + key + " (attempt " + attempt + " of " + ATTEMPTS + "): "
                    + new String(outcome.payload(), StandardCharsets.UTF_8));
            seenOnce.remove(key);
            return;
        }
        if (outcome.failed()) {
            log.accept("gave up on s3://" + bucket + "/" + key + " after " + ATTEMPTS + " attempts: " + new String(outcome.payload(), StandardCharsets.UTF_8));
        }
        attempts.remove(key);
        sent.put(key, version);
        Files.writeString(record, key + "\t" + version + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Temporary files of copies under way (".name.tmp", "name.part" folders' dot files) are not uploads. */
    private static boolean hidden(String key) {
        for (String part : key.split("/")) {
            if (part.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The S3 ObjectCreated:Put notification; keys are form-encoded in it, as S3 encodes them, and the eTag
     * is the version the bucket folders give the file, so the job is for this version of it.
     */
    private byte[] event(String key, String version, long size) throws IOException {
        Map<String, Object> s3 = Map.of(
                "s3SchemaVersion", "1.0",
                "configurationId", "pixq-serve",
                "bucket", Map.of("name", bucket, "arn", "arn:aws:s3:::" + bucket),
                "object", Map.of("key", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"), "size", size, "eTag", version));
        Map<String, Object> record = Map.of(
                "eventVersion", "2.1",
                "eventSource", "aws:s3",
                "awsRegion", "us-east-1",
                "eventTime", Instant.now().toString(),
                "eventName", "ObjectCreated:Put",
                "s3", s3);
        return JSON.writeValueAsBytes(Map.of("Records", List.of(record)));
    }
}
