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

    private static RuntimeSandbox start(String handler, Duration timeout) throws Exception {
        var fn = new Template.Function("Sleeper", handler, Map.of(), timeout, 256, List.of(), List.of());
        return RuntimeSandbox.start(fn, Map.of(), System.getProperty("java.class.path"), line -> { });
    }

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
