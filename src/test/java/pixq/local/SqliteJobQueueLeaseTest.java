package pixq.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.aSpec;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.Delivery;
import pixq.job.JobBuilders;
import pixq.job.JobSpec;
import pixq.job.MutableClock;

/** What the contract leaves to the adapter: many receivers at once, stale receipts, the dead letters. */
class SqliteJobQueueLeaseTest {
    private static final Duration VISIBILITY = Duration.ofSeconds(30);
    private static final Duration NO_WAIT = Duration.ZERO;

    @TempDir
    Path state;

    private final MutableClock clock = new MutableClock(JobBuilders.T0);
    private final List<SqliteDatabase> opened = new ArrayList<>();

    private SqliteJobQueue queue(Clock clock) {
        SqliteDatabase db = SqliteDatabase.open(state.resolve("pixq.db"));
        opened.add(db);
        return new SqliteJobQueue(db, VISIBILITY, 3, NO_WAIT, clock);
    }

    @AfterEach
    void close() {
        opened.forEach(SqliteDatabase::close);
    }

    private static List<JobSpec> specs(int count) {
        return IntStream.range(0, count).mapToObj(i -> aSpec().input("file:/in/" + i + ".jpg").build()).toList();
    }

    private static Delivery only(List<Delivery> deliveries) {
        assertEquals(1, deliveries.size(), "deliveries: " + deliveries);
        return deliveries.get(0);
    }

    @Test
    void fourReceiversOnTheirOwnConnectionsGetEachOf200MessagesExactlyOnce() throws Exception {
        // given: four connections, as four processes would have, and 200 messages
        queue(Clock.systemUTC()).send(specs(200));
        List<SqliteJobQueue> receivers = IntStream.range(0, 4).mapToObj(i -> queue(Clock.systemUTC())).toList();
        ConcurrentLinkedQueue<Delivery> got = new ConcurrentLinkedQueue<>();

        // when: each receives until the queue looks empty, keeping its leases
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> running = receivers.stream().<Future<?>>map(q -> pool.submit(() -> {
                List<Delivery> batch;
                while (!(batch = q.receive(7)).isEmpty()) {
                    got.addAll(batch);
                }
            })).toList();
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        // then
        assertEquals(200, got.size());
        assertEquals(200, new HashSet<>(got.stream().map(Delivery::messageId).toList()).size());
        assertEquals(new HashSet<>(specs(200)), new HashSet<>(got.stream().map(d -> JobSpec.fromJson(d.body())).toList()));
    }

    @Test
    void staleReceiptNeitherDeletesNorDelaysTheMessage() {
        // given: worker A's lease ran out and worker B received the message
        SqliteJobQueue queue = queue(clock);
        queue.send(specs(1));
        Delivery byA = only(queue.receive(10));
        clock.advance(VISIBILITY.plusSeconds(1));
        Delivery byB = only(queue.receive(10));

        // when: A finishes late
        queue.delete(byA);
        queue.retryLater(byA, Duration.ZERO);

        // then: B's lease holds, and the message is still there once it runs out
        assertEquals(List.of(), queue.receive(10));
        clock.advance(VISIBILITY.plusSeconds(1));
        Delivery byC = only(queue.receive(10));
        assertEquals(byB.messageId(), byC.messageId());
        assertEquals(3, byC.receiveCount());
    }

    @Test
    void currentReceiptDeletesEvenAfterTheLeaseRanOutIfNobodyElseReceived() {
        // given
        SqliteJobQueue queue = queue(clock);
        queue.send(specs(1));
        Delivery slow = only(queue.receive(10));
        clock.advance(VISIBILITY.plusSeconds(1));

        // when
        queue.delete(slow);

        // then
        assertEquals(List.of(), queue.receive(10));
    }

    @Test
    void deadLettersArchivedFromElsewhereAreKeptOnceAndRedrivenExceptTheUnreadable() {
        // given: what pixq serve's dead-letter function archives, a job's message (twice: delivered again) and junk
        SqliteJobQueue queue = queue(clock);
        JobSpec job = specs(1).get(0);
        queue.archiveDeadLetter("m1", job.toJson(), 3);
        queue.archiveDeadLetter("m1", job.toJson(), 3);
        queue.archiveDeadLetter("m2", "not a job message", 3);
        queue.archiveDeadLetter("m3", "{\"valid\": \"json, no job\"}", 3);
        assertEquals(3, queue.deadLetters(10).size());

        // when
        int redriven = queue.redriveDeadLetters();

        // then the job's message is back on the queue; the unreadable ones stay for a person to look at
        assertEquals(1, redriven);
        assertEquals(job, JobSpec.fromJson(only(queue.receive(10)).body()));
        assertEquals(List.of("not a job message", "{\"valid\": \"json, no job\"}"),
                queue.deadLetters(10).stream().map(SqliteJobQueue.DeadLetter::body).toList());
    }

    @Test
    void messageWhoseWorkerDiesEveryTimeIsDeadLetteredAndCanBeRedriven() {
        // given: three receives whose leases all run out (the worker killed each time)
        SqliteJobQueue queue = queue(clock);
        JobSpec poison = specs(1).get(0);
        queue.send(List.of(poison));
        for (int i = 0; i < 3; i++) {
            only(queue.receive(10));
            clock.advance(VISIBILITY.plusSeconds(1));
        }

        // when
        List<Delivery> fourth = queue.receive(10);

        // then: not delivered, but kept as a dead letter
        assertEquals(List.of(), fourth);
        List<SqliteJobQueue.DeadLetter> dead = queue.deadLetters(10);
        assertEquals(1, dead.size());
        assertEquals(poison, JobSpec.fromJson(dead.get(0).body()));
        assertEquals(3, dead.get(0).receiveCount());
        assertEquals(clock.instant(), dead.get(0).deadAt());

        // and when redriven, it is delivered afresh
        assertEquals(1, queue.redriveDeadLetters());
        Delivery again = only(queue.receive(10));
        assertEquals(poison, JobSpec.fromJson(again.body()));
        assertEquals(1, again.receiveCount());
        assertEquals(List.of(), queue.deadLetters(10));
    }

    @Test
    void messagesOutliveTheProcessThatSentThem() {
        // given
        SqliteJobQueue sender = queue(clock);
        sender.send(specs(2));
        opened.remove(0).close();

        // when
        List<Delivery> got = queue(clock).receive(10);

        // then
        assertEquals(2, got.size());
    }

    @Test
    void receiveWaitsBrieflyForAMessageSentMeanwhile() throws Exception {
        // given: a receiver that waits up to 5 s
        SqliteDatabase db = SqliteDatabase.open(state.resolve("pixq.db"));
        opened.add(db);
        SqliteJobQueue waiting = new SqliteJobQueue(db, VISIBILITY, 3, Duration.ofSeconds(5), Clock.systemUTC());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<List<Delivery>> receiving = pool.submit(() -> waiting.receive(10));
            Thread.sleep(100);

            // when
            queue(Clock.systemUTC()).send(specs(1));

            // then
            long start = System.nanoTime();
            assertEquals(1, receiving.get().size());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(4).toNanos(), "returned as soon as it came");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aJobSentAgainStillHasOneLiveMessage() {
        // given: five interrupted runs, each sending every job still queued
        SqliteJobQueue queue = queue(clock);
        List<JobSpec> jobs = specs(3);
        for (int run = 0; run < 5; run++) {
            queue.send(jobs);
        }

        // when
        List<Delivery> got = queue.receive(100);

        // then
        assertEquals(3, got.size());
        assertEquals(new HashSet<>(jobs), new HashSet<>(got.stream().map(d -> JobSpec.fromJson(d.body())).toList()));
    }

    @Test
    void aQueueForOneBatchLeavesOtherBatchesMessagesAlone() {
        // given
        SqliteJobQueue queue = queue(clock);
        JobSpec ours = aSpec().batch("ours").input("file:/in/ours.jpg").build();
        JobSpec theirs = aSpec().batch("theirs").input("file:/in/theirs.jpg").build();
        queue.send(List.of(theirs, ours));
        SqliteJobQueue onlyOurs = queue.only(List.of("ours"));

        // when
        Delivery got = only(onlyOurs.receive(10));
        onlyOurs.delete(got);

        // then
        assertEquals(ours, JobSpec.fromJson(got.body()));
        assertTrue(onlyOurs.isEmpty());
        assertEquals(List.of(), onlyOurs.receive(10));
        assertEquals(theirs, JobSpec.fromJson(only(queue.receive(10)).body()));
    }

    @Test
    void theDeadLetterListenerHearsOfEachMessageAsItIsDeadLettered() {
        // given
        List<SqliteJobQueue.DeadLetter> heard = new ArrayList<>();
        SqliteJobQueue queue = queue(clock).onDeadLetter(heard::add);
        JobSpec poison = specs(1).get(0);
        queue.send(List.of(poison));
        for (int i = 0; i < 3; i++) {
            only(queue.receive(10));
            clock.advance(VISIBILITY.plusSeconds(1));
        }

        // when
        queue.receive(10);

        // then
        assertEquals(1, heard.size());
        assertEquals(poison, JobSpec.fromJson(heard.get(0).body()));
        assertEquals(3, heard.get(0).receiveCount());
    }

    @Test
    void receivingCostsTheSameWhateverTheBacklogOfExhaustedMessages() {
        // given: 300 messages each received three times, their leases run out
        SqliteJobQueue queue = queue(clock);
        queue.send(specs(300));
        for (int i = 0; i < 3; i++) {
            assertEquals(300, queue.receive(300).size());
            clock.advance(VISIBILITY.plusSeconds(1));
        }
        JobSpec fresh = aSpec().input("file:/in/fresh.jpg").build();
        queue.send(List.of(fresh));

        // when: each receive dead-letters a bounded number of them on its way
        List<Delivery> got = new ArrayList<>();
        int receives = 0;
        while (got.isEmpty()) {
            got.addAll(queue.receive(1));
            receives++;
        }

        // then
        assertEquals(fresh, JobSpec.fromJson(only(got).body()));
        assertEquals(3, receives, "100 dead-lettered per receive");
        assertEquals(300, queue.deadLetters(1000).size());
    }
}
