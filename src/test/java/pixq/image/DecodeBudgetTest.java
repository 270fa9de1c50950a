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

    /** Runs a decode on its own thread that holds its share of the budget until {@code release} opens. */
    private static CompletableFuture<String> holding(DecodeBudget budget, long bytes, CountDownLatch started, CountDownLatch release) {
        return CompletableFuture.supplyAsync(() -> budget.within(bytes, () -> {
            started.countDown();
            try {
                assertTrue(release.await(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return "decoded";
        }), r -> new Thread(r).start());
    }

    @Test
    void aDecodeThatWouldPassTheBudgetWaitsForTheOneHoldingItThenRuns() throws Exception {
        DecodeBudget budget = new DecodeBudget(64 * MB);
        CountDownLatch firstIn = new CountDownLatch(1);
        CountDownLatch firstOut = new CountDownLatch(1);
        CompletableFuture<String> first = holding(budget, 50 * MB, firstIn, firstOut);
        assertTrue(firstIn.await(30, TimeUnit.SECONDS));

        assertEquals("small", budget.within(10 * MB, () -> "small"), "what fits beside it runs at once");
        assertEquals("baseline", budget.within(0, () -> "baseline"), "a decode that holds nothing never waits");

        AtomicBoolean secondRan = new AtomicBoolean();
        Thread second = new Thread(() -> budget.within(40 * MB, () -> secondRan.getAndSet(true)));
        second.start();
        Await.until("the second decode waits", Duration.ofSeconds(30), () -> second.getState() == Thread.State.WAITING);
        assertFalse(secondRan.get(), "50 + 40 MB would pass 64 MB: the second must wait");
        firstOut.countDown();
        assertEquals("decoded", first.get(30, TimeUnit.SECONDS));
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
        CountDownLatch in = new CountDownLatch(1);
        CountDownLatch out = new CountDownLatch(1);
        CompletableFuture<String> holder = holding(budget, 60 * MB, in, out);
        assertTrue(in.await(30, TimeUnit.SECONDS));
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
        out.countDown();
        assertEquals("decoded", holder.get(30, TimeUnit.SECONDS));
    }
}
