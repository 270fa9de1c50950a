package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import pixq.job.Await;

class DecodeBudgetTest {
    private static final long MB = 1024 * 1024;

    /** A decode on its own thread, inside the budget and holding its share until released. */
    private record Holder(CountDownLatch release, CompletableFuture<String> result) {
        static Holder start(DecodeBudget budget, long bytes) throws InterruptedException {
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> result = CompletableFuture.supplyAsync(() -> budget.within(bytes, () -> {
                in.countDown();
                try {
                    assertTrue(release.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                return "decoded";
            }), r -> new Thread(r).start());
            assertTrue(in.await(30, TimeUnit.SECONDS), "the first decode started");
            return new Holder(release, result);
        }

        void endsDecoded() throws Exception {
            release.countDown();
            assertEquals("decoded", result.get(30, TimeUnit.SECONDS));
        }
    }

    private static Thread waitingFor(DecodeBudget budget, long bytes, Runnable decode) {
        Thread t = new Thread(() -> budget.within(bytes, () -> {
            decode.run();
            return null;
        }));
        t.start();
        Await.until("the second decode waits for room", Duration.ofSeconds(30), () -> t.getState() == Thread.State.WAITING);
        return t;
    }

    @Test
    void aDecodeThatWouldPassTheBudgetWaitsForTheOneHoldingItThenRuns() throws Exception {
        DecodeBudget budget = new DecodeBudget(64 * MB);
        Holder first = Holder.start(budget, 50 * MB);

        assertEquals("small", budget.within(10 * MB, () -> "small"), "what fits beside it runs at once");
        assertEquals("baseline", budget.within(0, () -> "baseline"), "a decode that holds nothing never waits");

        AtomicBoolean secondRan = new AtomicBoolean();
        Thread second = waitingFor(budget, 40 * MB, () -> secondRan.set(true));
        assertFalse(secondRan.get(), "50 + 40 MB would pass 64 MB: the second must wait");
        first.endsDecoded();
        second.join(30_000);
        assertTrue(secondRan.get(), "it runs once the first has ended");
    }

    @Test
    void aDecodeLargerThanTheWholeBudgetRunsAloneInsteadOfWaitingForever() {
        DecodeBudget budget = new DecodeBudget(64 * MB);
        assertEquals("huge", budget.within(500 * MB, () -> "huge"));
        assertEquals("after", budget.within(64 * MB, () -> "after"), "its share came back whole");
    }

    @Test
    void aWorkerStoppedWhileWaitingGivesTheJobBackAsUnavailable() throws Exception {
        DecodeBudget budget = new DecodeBudget(64 * MB);
        Holder holder = Holder.start(budget, 60 * MB);
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                budget.within(60 * MB, () -> ran.getAndSet(true));
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        waiter.start();
        Await.until("the second decode waits for room", Duration.ofSeconds(30), () -> waiter.getState() == Thread.State.WAITING);
        waiter.interrupt();
        Throwable t = failure.get(30, TimeUnit.SECONDS);
        assertEquals(ImageException.Unavailable.class, t.getClass(), String.valueOf(t));
        assertFalse(ran.get());
        holder.endsDecoded();
    }
}
