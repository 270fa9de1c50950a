package pixq.serve;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A function served by {@code pixq serve}: its instances are started on demand, reused while warm, and at
 * most {@code concurrency} run at once (more invocations wait for one, as Lambda's poller waits at its
 * MaximumConcurrency). An instance that timed out or died is replaced by a fresh one.
 */
final class ServedFunction {
    /** Starts one instance: a runtime-client JVM, or the handler in this process. */
    interface Starter {
        FunctionInstance start() throws Exception;
    }

    final Template.Function definition;
    private final Starter starter;
    private final Semaphore slots;
    private final Deque<FunctionInstance> idle = new ArrayDeque<>();
    private final AtomicInteger running = new AtomicInteger();

    ServedFunction(Template.Function definition, int concurrency, Starter starter) {
        this.definition = definition;
        this.starter = starter;
        this.slots = new Semaphore(concurrency, true);
    }

    String name() {
        return definition.name();
    }

    /** Waits for an instance as long as it takes (an event source mapping's poller). */
    FunctionInstance.Outcome invoke(String requestId, byte[] event) throws InterruptedException {
        return invokeWithin(null, requestId, event);
    }

    /**
     * Waits at most {@code wait} for an instance (null: without bound); null when none came free, where
     * Lambda answers TooManyRequestsException.
     */
    FunctionInstance.Outcome invokeWithin(Duration wait, String requestId, byte[] event) throws InterruptedException {
        running.incrementAndGet(); // counted while it waits for an instance too: a shutdown waits for it
        try {
            if (wait == null) {
                slots.acquire();
            } else if (!slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                running.decrementAndGet();
                return null;
            }
        } catch (InterruptedException e) {
            running.decrementAndGet();
            throw e;
        }
        FunctionInstance instance = null;
        try {
            instance = warmOrNew();
            return instance.invoke(requestId, event, definition.timeout());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return new FunctionInstance.Outcome(InProcessFunction.error(e), true, "");
        } finally {
            if (instance != null) {
                if (instance.alive()) {
                    synchronized (idle) {
                        idle.push(instance);
                    }
                } else {
                    instance.close();
                }
            }
            running.decrementAndGet();
            slots.release();
        }
    }

    /** Invocations under way or waiting for an instance. */
    int running() {
        return running.get();
    }

    private FunctionInstance warmOrNew() throws Exception {
        synchronized (idle) {
            while (!idle.isEmpty()) {
                FunctionInstance warm = idle.pop();
                if (warm.alive()) {
                    return warm;
                }
                warm.close();
            }
        }
        return starter.start();
    }

    /** Stops the idle instances; call once no invocation runs. */
    void close() {
        synchronized (idle) {
            idle.forEach(FunctionInstance::close);
            idle.clear();
        }
    }
}
