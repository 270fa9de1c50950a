package pixq.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static pixq.job.JobBuilders.aSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobQueue} must do, with SQS's semantics. No test assumes an order of delivery, nor that
 * one receive returns every visible message (SQS may return fewer): tests receive until they have what
 * they expect or a deadline passes.
 */
public abstract class JobQueueContract {
    protected static final Duration VISIBILITY = Duration.ofSeconds(1);
    protected static final int MAX_RECEIVES = 3;
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private JobQueue queue;

    /**
     * A new, empty queue whose messages stay hidden for {@code visibilityTimeout} once received and are
     * dead-lettered once received {@code maxReceives} times. Called once per test.
     */
    protected abstract JobQueue newQueue(Duration visibilityTimeout, int maxReceives);

    /** Lets {@code duration} pass for the queue; adapters on an injected clock move their clock instead. */
    protected void waitFor(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis() + 200);
    }

    private JobQueue queue() {
        if (queue == null) {
            queue = newQueue(VISIBILITY, MAX_RECEIVES);
        }
        return queue;
    }

    private static JobSpec spec(String name) {
        return aSpec().input("file:/in/" + name + "-" + UUID.randomUUID() + ".jpg").build();
    }

    /** Receives until {@code count} messages came, failing past the deadline. */
    private List<Delivery> receive(int count, int max) {
        List<Delivery> got = new ArrayList<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (got.size() < count) {
            if (System.nanoTime() > deadline) {
                fail("received " + got.size() + " of " + count + " messages before the deadline");
            }
            got.addAll(queue().receive(max));
        }
        return got;
    }

    private Delivery receiveOne() {
        List<Delivery> got = receive(1, 1);
        assertEquals(1, got.size());
        return got.get(0);
    }

    @Test
    void sentJobIsReceivedWithItsSpec() {
        // given
        JobSpec spec = spec("a");
        queue().send(List.of(spec));

        // when
        Delivery delivery = receiveOne();

        // then
        assertEquals(spec, JobSpec.fromJson(delivery.body()));
        assertEquals(1, delivery.receiveCount());
        assertFalse(delivery.messageId().isBlank());
        assertFalse(delivery.receipt().isBlank());
    }

    @Test
    void emptyQueueGivesAnEmptyList() {
        assertEquals(List.of(), queue().receive(10));
    }

    @Test
    void receivedMessageIsHiddenUntilItsVisibilityTimeoutRunsOut() throws InterruptedException {
        // given
        queue().send(List.of(spec("a")));
        Delivery first = receiveOne();

        // when
        List<Delivery> whileLeased = queue().receive(10);
        waitFor(VISIBILITY);
        Delivery again = receiveOne();

        // then
        assertEquals(List.of(), whileLeased);
        assertEquals(first.messageId(), again.messageId());
        assertEquals(first.body(), again.body());
        assertEquals(2, again.receiveCount());
        assertNotEquals(first.receipt(), again.receipt(), "each receive gives a fresh receipt");
    }

    @Test
    void deletedMessageIsNeverDeliveredAgain() throws InterruptedException {
        // given
        queue().send(List.of(spec("a")));
        Delivery delivery = receiveOne();

        // when
        queue().delete(delivery);
        waitFor(VISIBILITY);

        // then
        assertEquals(List.of(), queue().receive(10));
    }

    @Test
    void retryLaterWithoutDelayMakesTheMessageVisibleAtOnce() {
        // given
        queue().send(List.of(spec("a")));
        Delivery first = receiveOne();

        // when
        queue().retryLater(first, Duration.ZERO);
        Delivery again = receiveOne();

        // then
        assertEquals(first.messageId(), again.messageId());
        assertEquals(2, again.receiveCount());
    }

    @Test
    void retryLaterHidesTheMessageForTheDelay() throws InterruptedException {
        // given
        queue().send(List.of(spec("a")));
        Delivery first = receiveOne();
        queue().retryLater(first, Duration.ZERO);
        Delivery second = receiveOne();

        // when
        queue().retryLater(second, VISIBILITY);
        List<Delivery> duringDelay = queue().receive(10);
        waitFor(VISIBILITY);
        Delivery third = receiveOne();

        // then
        assertEquals(List.of(), duringDelay);
        assertEquals(3, third.receiveCount());
    }

    @Test
    void messageReceivedMaxReceivesTimesIsDeadLetteredInsteadOfDelivered() {
        // given: a message that fails every time it is received
        queue().send(List.of(spec("poison")));
        for (int i = 1; i <= MAX_RECEIVES; i++) {
            Delivery delivery = receiveOne();
            assertEquals(i, delivery.receiveCount());
            queue().retryLater(delivery, Duration.ZERO);
        }

        // when: it is visible again
        List<Delivery> after = queue().receive(10);

        // then
        assertEquals(List.of(), after);
    }

    @Test
    void receiveGivesAtMostMaxMessages() {
        // given
        queue().send(IntStream.range(0, 5).mapToObj(i -> spec("m" + i)).toList());

        // when
        List<Delivery> got = List.of();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (got.isEmpty() && System.nanoTime() < deadline) {
            got = queue().receive(2);
        }

        // then
        assertTrue(got.size() >= 1 && got.size() <= 2, "got " + got.size());
    }

    @Test
    void everySentJobIsDeliveredOnceWhileLeased() {
        // given: more jobs than one SQS batch holds
        List<JobSpec> specs = IntStream.range(0, 25).mapToObj(i -> spec("m" + i)).toList();
        queue().send(specs);

        // when
        List<Delivery> got = receive(specs.size(), 10);
        List<Delivery> more = queue().receive(10);

        // then
        Set<String> ids = got.stream().map(Delivery::messageId).collect(Collectors.toSet());
        assertEquals(specs.size(), got.size());
        assertEquals(specs.size(), ids.size(), "no message delivered twice");
        assertEquals(new HashSet<>(specs), got.stream().map(d -> JobSpec.fromJson(d.body())).collect(Collectors.toSet()));
        assertEquals(List.of(), more);
    }
}
