package pixq.job;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waits for a condition, with a deadline: tests wait for what they need to see, never for a fixed time. */
public final class Await {
    private Await() {}

    /** Returns as soon as {@code condition} holds; fails naming {@code what} once {@code limit} has passed. */
    public static void until(String what, Duration limit, Callable<Boolean> condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (!Boolean.TRUE.equals(condition.call())) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("waited " + limit + " for " + what);
                }
                Thread.onSpinWait();
                Thread.sleep(10); // a poll interval, not a synchronisation: the loop exits on the condition
            }
        } catch (AssertionError | RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } catch (Exception e) {
            throw new AssertionError("checking " + what + " failed: " + e, e);
        }
    }
}
