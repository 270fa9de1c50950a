package pixq.serve;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Lambda's start-up, error and timeout paths through the runtime interface client and serve's Runtime API. */
class RuntimeSandboxTest {

    /** Started by the runtime client with its no-argument constructor, as Lambda starts handlers. */
    public static final class Sleeper {
        public Map<String, Object> handleRequest(Map<String, Object> event, Context context) throws InterruptedException {
            Thread.sleep(((Number) event.getOrDefault("sleepMs", 0)).longValue());
            System.out.println("slept, " + context.getRemainingTimeInMillis() + " ms left");
            return Map.of("function", context.getFunctionName(), "echo", event);
        }
    }

    /** Tells where its instance's temporary files go. */
    public static final class TmpTeller {
        public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
            return Map.of("tmpdir", System.getProperty("java.io.tmpdir"), "TMPDIR", String.valueOf(System.getenv("TMPDIR")),
                    "jni", String.valueOf(System.getProperty(RuntimeSandbox.JNI_PROPERTY)));
        }
    }

    /** Dies under its invocation, as a crashed JVM does. */
    public static final class Crasher {
        public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
            Runtime.getRuntime().halt(134);
            return Map.of();
        }
    }

    private static RuntimeSandbox start(String handler, Duration timeout) throws Exception {
        var fn = new Template.Function("Sleeper", handler, Map.of(), timeout, 256, List.of(), List.of());
        return RuntimeSandbox.start(fn, Map.of(), System.getProperty("java.class.path"), CONSOLE::add);
    }

    /** What the instances printed, for a failure's message. */
    private static final List<String> CONSOLE = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void anInvocationGoesThroughTheRuntimeClientAndBack() throws Exception {
        RuntimeSandbox sandbox = start(Sleeper.class.getName() + "::handleRequest", Duration.ofSeconds(30));
        try {
            FunctionInstance.Outcome outcome = sandbox.invoke("req-1", "{\"sleepMs\": 10}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
            String payload = new String(outcome.payload(), StandardCharsets.UTF_8);
            assertFalse(outcome.failed(), payload);
            assertTrue(payload.contains("\"function\":\"Sleeper\"") && payload.contains("\"sleepMs\":10"), payload);
            assertTrue(outcome.log().contains("slept, "), outcome.log());
            assertTrue(sandbox.alive());
        } finally {
            sandbox.close();
        }
    }

    @Test
    void aHandlerThatCannotLoadIsAnInitErrorNotAHang() throws Exception {
        RuntimeSandbox sandbox = start("pixq.cli.NoSuchHandler::handleRequest", Duration.ofSeconds(30));
        try {
            FunctionInstance.Outcome outcome = sandbox.invoke("req-2", "{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
            String payload = new String(outcome.payload(), StandardCharsets.UTF_8);
            assertTrue(outcome.failed(), payload);
            assertTrue(payload.contains("NoSuchHandler"), payload);
        } finally {
            sandbox.close();
        }
    }

    @Test
    void instancesStartedTogetherEachHaveTheirOwnTemporaryFolderRemovedWhenTheyEnd() throws Exception {
        var first = new java.util.concurrent.CompletableFuture<RuntimeSandbox>();
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return start(TmpTeller.class.getName() + "::handleRequest", Duration.ofSeconds(30));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        first.complete(start(TmpTeller.class.getName() + "::handleRequest", Duration.ofSeconds(30)));
        List<RuntimeSandbox> both = List.of(first.get(), second.get(60, java.util.concurrent.TimeUnit.SECONDS));
        try {
            java.util.Set<String> folders = new java.util.HashSet<>();
            for (RuntimeSandbox sandbox : both) {
                FunctionInstance.Outcome outcome = sandbox.invoke("req-t", "{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30));
                var answer = pixq.recipe.Json.MAPPER.readTree(outcome.payload());
                assertFalse(outcome.failed(), answer + "\n" + String.join("\n", CONSOLE));
                assertTrue(answer.path("tmpdir").asText().equals(answer.path("TMPDIR").asText()), answer.toString());
                assertTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of(answer.path("tmpdir").asText())), answer.toString());
                // the runtime client's JNI library from the instance's own folder, never its shared /tmp/.libaws-lambda-jni.so
                assertTrue(answer.path("jni").asText().startsWith(answer.path("tmpdir").asText() + "/"), answer.toString());
                folders.add(answer.path("tmpdir").asText());
            }
            assertTrue(folders.size() == 2 && !folders.contains(System.getProperty("java.io.tmpdir")), folders.toString());
        } finally {
            both.forEach(RuntimeSandbox::close);
        }
        both.forEach(sandbox -> assertFalse(java.nio.file.Files.exists(sandbox.tmp()), sandbox.tmp() + " is left"));
    }

    @Test
    void aBatchWhoseInstanceDiesComesBackToTheQueueAtOnce(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // a visibility timeout of 10 minutes: only a hand-back makes the messages visible within the test
        try (var local = pixq.local.LocalState.open(dir, Duration.ofMinutes(10), 5, Duration.ofMillis(50), java.time.Clock.systemUTC())) {
            local.queue().send(List.of(pixq.job.JobBuilders.aSpec().input("file:/a.jpg").build(), pixq.job.JobBuilders.aSpec().input("file:/b.jpg").build()));
            var fn = new Template.Function("Crasher", Crasher.class.getName() + "::handleRequest", Map.of(), Duration.ofSeconds(30), 256, List.of(), List.of());
            ServedFunction function = new ServedFunction(fn, 1, () -> RuntimeSandbox.start(fn, Map.of(), System.getProperty("java.class.path"), line -> { }));
            var source = new Template.QueueSource("JobQueue", 2, Duration.ZERO, 1, true);
            java.util.List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
            new QueueMapping(local.queue(), "JobQueue", function, source, QueueMapping.Kind.SQS_EVENT, said::add).poll(() -> !said.isEmpty());
            function.close();

            assertTrue(said.get(0).contains("handed back"), said.toString());
            assertTrue(local.queue().receive(10).size() == 2, "the crashed batch's messages are not visible again");
        }
    }

    @Test
    void anInvocationPastItsTimeoutEndsTheInstance() throws Exception {
        RuntimeSandbox sandbox = start(Sleeper.class.getName() + "::handleRequest", Duration.ofSeconds(2));
        try {
            FunctionInstance.Outcome outcome = sandbox.invoke("req-3", "{\"sleepMs\": 60000}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
            String payload = new String(outcome.payload(), StandardCharsets.UTF_8);
            assertTrue(outcome.failed() && payload.contains("Task timed out after 2.00 seconds"), payload);
            assertFalse(sandbox.alive());
        } finally {
            sandbox.close();
        }
    }
}
