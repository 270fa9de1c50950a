package pixq.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import pixq.job.DaemonThreads;
import pixq.job.Delivery;
import pixq.job.JobQueue;
import pixq.job.StoreException;

/**
 * A long-running worker: pollers that receive one message at a time, run it and settle it on the queue.
 * One message per poller, so a slow image never holds up the others the way a batch barrier would.
 * Used by {@code pixq run} on the embedded queue and {@code pixq worker} on SQS.
 */
public final class QueueWorker {
    static final Duration IDLE_PAUSE = Duration.ofMillis(200);

    private final JobQueue queue;
    private final BatchRunner runner;
    private final int pollers;
    private final Consumer<ItemResult> listener;
    private final Duration idlePause;
    /** Messages settled so far: a poller with nothing to do wakes when it moves, since that job may have been the last. */
    private final Object settling = new Object();
    private long settled; // guarded by settling
    /** When the last message this worker handed back becomes visible again (System.nanoTime). */
    private final AtomicLong retriesDueBy = new AtomicLong(System.nanoTime());

    public QueueWorker(JobQueue queue, BatchRunner runner, int pollers, Consumer<ItemResult> listener) {
        this(queue, runner, pollers, listener, IDLE_PAUSE);
    }

    QueueWorker(JobQueue queue, BatchRunner runner, int pollers, Consumer<ItemResult> listener, Duration idlePause) {
        this.queue = queue;
        this.runner = runner;
        this.pollers = pollers;
        this.listener = listener;
        this.idlePause = idlePause;
    }

    /**
     * Polls until {@code stop} says so. {@code idle} is asked whenever the queue has nothing visible and no
     * message this worker handed back for a retry is still to come back: true there ends the polling too
     * (the local run's work is all done; a burst worker's queue is worked off). A poller that dies (the
     * queue or the status store cannot be written, a bug) stops the others, and its error is thrown here,
     * so no run ends as if its work were done. A job that stops its worker (its output disk is full) is queued
     * again, its message handed back uncounted, and ends the polling the same way.
     */
    public void run(BooleanSupplier stop, BooleanSupplier idle) throws InterruptedException {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("pixq-lease-keeper"));
        try {
            pollAll(stop, idle, timer);
        } finally {
            timer.shutdownNow();
        }
    }

    private void pollAll(BooleanSupplier stop, BooleanSupplier idle, ScheduledExecutorService timer) throws InterruptedException {
        AtomicReference<Throwable> died = new AtomicReference<>();
        BooleanSupplier stopAll = () -> died.get() != null || stop.getAsBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < pollers; i++) {
            Thread thread = new Thread(() -> {
                try {
                    poll(stopAll, idle, timer);
                } catch (RuntimeException | Error e) {
                    died.compareAndSet(null, e);
                }
            }, "pixq-poller-" + i);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (died.get() != null) {
            throw new StoreException("a worker stopped: " + died.get().getMessage(), died.get());
        }
    }

    private void poll(BooleanSupplier stop, BooleanSupplier idle, ScheduledExecutorService timer) {
        while (!stop.getAsBoolean()) {
            long seen = settledSoFar();
            List<Delivery> received = queue.receive(1);
            if (received.isEmpty()) {
                if (System.nanoTime() - retriesDueBy.get() >= 0 && idle.getAsBoolean()) {
                    return;
                }
                awaitSettledAfter(seen);
                continue;
            }
            ScheduledFuture<?> keeping = keepHidden(received, timer);
            List<ItemResult> results;
            try {
                results = runner.run(received, () -> !stop.getAsBoolean());
            } finally {
                keeping.cancel(false);
            }
            for (int i = 0; i < results.size(); i++) {
                settle(received.get(i), results.get(i));
            }
            stopIfAnyStopped(results);
        }
    }

    /** A job that could not go on for a reason no retry mends (a full output disk) stops this worker, and so the others. */
    private static void stopIfAnyStopped(List<ItemResult> results) {
        for (ItemResult result : results) {
            if (result.outcome() == Outcome.STOPPED) {
                throw new IllegalStateException(result.detail() + "; the jobs not done stay queued: free some space,"
                        + " then run the same command again to resume");
            }
        }
    }

    /**
     * While the messages' jobs run, keeps them hidden from other workers: every third of the lease (the
     * queue's visibility timeout), for another lease, up to the worker's time limit.
     */
    private ScheduledFuture<?> keepHidden(List<Delivery> received, ScheduledExecutorService timer) {
        Duration lease = runner.config().lease();
        long every = Math.max(1, lease.toMillis() / 3);
        long deadline = System.nanoTime() + runner.config().timeLimit().toNanos();
        return timer.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() < deadline) {
                for (Delivery delivery : received) {
                    try {
                        queue.extendLease(delivery, lease);
                    } catch (RuntimeException e) {
                        // tried again on the next tick, well before the visibility runs out
                    }
                }
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    private void settle(Delivery delivery, ItemResult result) {
        if (result.outcome() == Outcome.STOPPED) {
            queue.handBackUnreceived(delivery);
        } else if (result.outcome().handBack()) {
            Duration backoff = backoff(delivery.receiveCount(), result.outcome());
            long due = System.nanoTime() + backoff.toNanos();
            retriesDueBy.accumulateAndGet(due, (a, b) -> a - b >= 0 ? a : b);
            queue.retryLater(delivery, backoff);
        } else {
            queue.delete(delivery);
        }
        synchronized (settling) {
            settled++;
            settling.notifyAll();
        }
        listener.accept(result);
    }

    private long settledSoFar() {
        synchronized (settling) {
            return settled;
        }
    }

    /**
     * Waits the idle pause, or less: until a message is settled after {@code seen}, so that the other poller's last
     * job ending ends the run at once, not up to a pause later (0.2 s more in 2 of 20 runs of 44 photos).
     */
    private void awaitSettledAfter(long seen) {
        long until = System.nanoTime() + idlePause.toNanos();
        synchronized (settling) {
            try {
                for (long left = idlePause.toNanos(); settled == seen && left > 0; left = until - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(settling, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Exponential backoff for retries (1 s, 2 s, 4 s ... up to a minute); no wait for work never started, nor
     * for a message to be dead-lettered (the queue moves it on its next receive).
     */
    static Duration backoff(int receiveCount, Outcome outcome) {
        if (outcome == Outcome.NOT_STARTED || outcome == Outcome.DEAD_LETTERED) {
            return Duration.ZERO;
        }
        return Duration.ofSeconds(Math.min(60, 1L << Math.min(6, Math.max(0, receiveCount - 1))));
    }
}
