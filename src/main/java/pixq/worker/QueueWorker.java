package pixq.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import pixq.job.Delivery;
import pixq.job.JobQueue;

/**
 * A long-running worker: pollers that receive one message at a time, run it and settle it on the queue.
 * One message per poller, so a slow image never holds up the others the way a batch barrier would.
 * Used by {@code pixq run} on the embedded queue and {@code pixq worker} on SQS.
 */
public final class QueueWorker {
    private static final Duration IDLE_PAUSE = Duration.ofMillis(200);

    private final JobQueue queue;
    private final BatchRunner runner;
    private final int pollers;
    private final Consumer<ItemResult> listener;
    /** When the last message this worker handed back becomes visible again (System.nanoTime). */
    private final AtomicLong retriesDueBy = new AtomicLong(System.nanoTime());

    public QueueWorker(JobQueue queue, BatchRunner runner, int pollers, Consumer<ItemResult> listener) {
        this.queue = queue;
        this.runner = runner;
        this.pollers = pollers;
        this.listener = listener;
    }

    /**
     * Polls until {@code stop} says so. {@code idle} is asked whenever the queue has nothing visible and no
     * message this worker handed back for a retry is still to come back: true there ends the polling too
     * (the local run's work is all done; a burst worker's queue is worked off).
     */
    public void run(BooleanSupplier stop, BooleanSupplier idle) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < pollers; i++) {
            Thread thread = new Thread(() -> poll(stop, idle), "pixq-poller-" + i);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private void poll(BooleanSupplier stop, BooleanSupplier idle) {
        while (!stop.getAsBoolean()) {
            List<Delivery> received = queue.receive(1);
            if (received.isEmpty()) {
                if (System.nanoTime() - retriesDueBy.get() >= 0 && idle.getAsBoolean()) {
                    return;
                }
                sleep(IDLE_PAUSE);
                continue;
            }
            List<ItemResult> results = runner.run(received, () -> !stop.getAsBoolean());
            for (int i = 0; i < results.size(); i++) {
                settle(received.get(i), results.get(i));
            }
        }
    }

    private void settle(Delivery delivery, ItemResult result) {
        if (result.outcome().handBack()) {
            Duration backoff = backoff(delivery.receiveCount(), result.outcome());
            long due = System.nanoTime() + backoff.toNanos();
            retriesDueBy.accumulateAndGet(due, (a, b) -> a - b >= 0 ? a : b);
            queue.retryLater(delivery, backoff);
        } else {
            queue.delete(delivery);
        }
        listener.accept(result);
    }

    /** Exponential backoff for retries (1 s, 2 s, 4 s ... up to a minute); no wait for work never started. */
    static Duration backoff(int receiveCount, Outcome outcome) {
        if (outcome == Outcome.NOT_STARTED) {
            return Duration.ZERO;
        }
        return Duration.ofSeconds(Math.min(60, 1L << Math.min(6, Math.max(0, receiveCount - 1))));
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
