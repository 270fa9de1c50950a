package pixq.serve;

import java.time.Duration;

/** One instance of a function, as one Lambda execution environment: one invocation at a time. */
public sealed interface FunctionInstance permits RuntimeSandbox, InProcessFunction {

    /** What one invocation gave: the handler's JSON, or (failed) the error JSON Lambda reports; and its log. */
    public record Outcome(byte[] payload, boolean failed, String log) {}

    Outcome invoke(String requestId, byte[] event, Duration timeout) throws InterruptedException;

    /** False once it can take no more invocations (its process died, or it timed out). */
    boolean alive();

    void close();
}
