package pixq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Tests cannot hang or pass by luck: every one has a time limit, and none synchronises by sleeping. */
class TimeLimitsTest {
    /**
     * The files that may still sleep, each with why. Fixtures that simulate slow work or let real time pass are
     * fine; the ones marked "to replace" still synchronise by sleeping and are owed an {@code Await}.
     */
    private static final Map<String, String> MAY_SLEEP = Map.ofEntries(
            Map.entry("job/Await.java", "the poll interval of the one waiting loop"),
            Map.entry("job/JobQueueContract.java", "lets a visibility timeout pass for queues on a real clock"),
            Map.entry("serve/RuntimeSandboxTest.java", "a handler that simulates slow work"),
            Map.entry("local/LocalFolderBlobStoreSafetyTest.java", "kills a writer at a different moment each round"),
            Map.entry("aws/Moto.java", "to replace: waits for moto_server to answer"),
            Map.entry("aws/TestStack.java", "to replace"),
            Map.entry("cli/Chromium.java", "to replace"),
            Map.entry("cli/RunCommandTest.java", "to replace (being edited by another helper)"),
            Map.entry("cli/ServeTest.java", "to replace (being edited by another helper)"),
            Map.entry("local/SqliteJobQueueLeaseTest.java", "to replace: lets a receiver start waiting"),
            Map.entry("serve/QueueMappingTest.java", "to replace: waits out a visibility timeout"));

    @Test
    void everyTestHasADefaultTimeLimit() throws IOException {
        Properties junit = new Properties();
        try (InputStream in = TimeLimitsTest.class.getResourceAsStream("/junit-platform.properties")) {
            assertNotNull(in, "src/test/resources/junit-platform.properties");
            junit.load(in);
        }
        assertNotNull(junit.getProperty("junit.jupiter.execution.timeout.default"), "a default time limit for every test");
    }

    @Test
    void noNewTestSynchronisesBySleeping() throws IOException {
        Path root = Path.of("src/test/java/pixq");
        try (Stream<Path> files = Files.walk(root)) {
            List<String> sleeping = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return Files.readString(f).matches("(?s).*(Thread\\.sleep|TimeUnit\\.\\w+\\.sleep)\\(.*");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(f -> root.relativize(f).toString().replace('\\', '/')).filter(f -> !MAY_SLEEP.containsKey(f)).sorted().toList();
            assertEquals(List.of(), sleeping, "tests that sleep: wait on the condition with pixq.job.Await instead");
        }
    }
}
