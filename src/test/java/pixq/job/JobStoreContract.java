package pixq.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.LEASE;
import static pixq.job.JobBuilders.T0;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobStore} must do. The store may be shared with other tests (a DynamoDB table), so
 * each test works in batches of its own.
 */
public abstract class JobStoreContract {
    private JobStore store;

    /** A store to test; called once per test. */
    protected abstract JobStore newStore();

    private JobStore store() {
        if (store == null) {
            store = newStore();
        }
        return store;
    }

    private static String newBatch() {
        return "batch-" + UUID.randomUUID();
    }

    private static Job queuedIn(String batch, String name) {
        return aJob().spec(aSpec().batch(batch).input("file:/in/" + name)).build();
    }

    private static Clock at(Duration sinceT0) {
        return Clock.fixed(T0.plus(sinceT0), ZoneOffset.UTC);
    }

    @Test
    void insertedJobIsFoundAsStored() {
        // given
        Job job = aJob().spec(aSpec().batch(newBatch()).args("a", "b c")).build();

        // when
        List<Job> inserted = store().insertNew(List.of(job));

        // then
        assertEquals(List.of(job), inserted);
        assertEquals(Optional.of(job), store().find(job.id()));
    }

    @Test
    void findingAnUnknownIdGivesNothing() {
        assertEquals(Optional.empty(), store().find("no-such-job-" + UUID.randomUUID()));
    }

    @Test
    void insertNewReturnsOnlyTheJobsNotStoredYet() {
        // given
        String batch = newBatch();
        Job a = queuedIn(batch, "a.jpg");
        Job b = queuedIn(batch, "b.jpg");
        Job c = queuedIn(batch, "c.jpg");
        store().insertNew(List.of(a, b));

        // when: b submitted again, in another shape
        Job bAgain = aJob().spec(b.spec()).lastError("submitted twice").build();
        List<Job> inserted = store().insertNew(List.of(bAgain, c));

        // then: the duplicate is ignored and the stored record is untouched
        assertEquals(List.of(c), inserted);
        assertEquals(Optional.of(b), store().find(b.id()));
        assertEquals(3, store().list(batch, null, 10).size());
    }

    @Test
    void updateReplacesTheRecordWhenItIsStillThePrevious() {
        // given
        Job queued = queuedIn(newBatch(), "a.jpg");
        store().insertNew(List.of(queued));

        // when
        Job running = queued.start(at(Duration.ofSeconds(5)), LEASE);
        boolean started = store().update(queued, running);
        Job succeeded = running.succeed(List.of("file:/out/a.thumb.jpg"), 0, at(Duration.ofSeconds(7)));
        boolean finished = store().update(running, succeeded);

        // then
        assertTrue(started);
        assertTrue(finished);
        assertEquals(Optional.of(succeeded), store().find(queued.id()));
    }

    @Test
    void updateFailsWhenAnotherWorkerStartedTheJobFirst() {
        // given: two workers read the same queued record
        Job queued = queuedIn(newBatch(), "a.jpg");
        store().insertNew(List.of(queued));
        Job byFirst = queued.start(at(Duration.ofSeconds(1)), LEASE);
        Job bySecond = queued.start(at(Duration.ofSeconds(2)), LEASE);

        // when
        boolean firstWins = store().update(queued, byFirst);
        boolean secondWins = store().update(queued, bySecond);

        // then
        assertTrue(firstWins);
        assertFalse(secondWins);
        assertEquals(Optional.of(byFirst), store().find(queued.id()));
    }

    @Test
    void updateFailsWhenTheJobWasTakenOverInTheSameState() {
        // given: a worker's lease ran out and another worker started the job again (RUNNING -> RUNNING)
        Job queued = queuedIn(newBatch(), "a.jpg");
        store().insertNew(List.of(queued));
        Job firstRun = queued.start(at(Duration.ofSeconds(1)), LEASE);
        store().update(queued, firstRun);
        Job secondRun = firstRun.start(at(Duration.ofSeconds(40)), LEASE);
        assertTrue(store().update(firstRun, secondRun));

        // when: the first, slow worker finishes
        boolean lateWrite = store().update(firstRun, firstRun.succeed(List.of(), 0, at(Duration.ofSeconds(50))));

        // then: attempts differ, so its write is refused
        assertFalse(lateWrite);
        assertEquals(Optional.of(secondRun), store().find(queued.id()));
    }

    @Test
    void takingOverFailsWhenTheOwnerExtendedItsLeaseSinceTheRecordWasRead() {
        // given: a running job, read by a second worker which finds its lease run out
        Job queued = queuedIn(newBatch(), "long.jpg");
        store().insertNew(List.of(queued));
        Job running = queued.start(at(Duration.ZERO), Duration.ofSeconds(30));
        store().update(queued, running);
        Clock later = at(Duration.ofSeconds(31));
        Job asRead = store().find(queued.id()).orElseThrow();
        assertTrue(asRead.leaseExpired(later));

        // when: the owner extends its lease just before the second worker writes
        Job extended = running.extendLease(at(Duration.ofSeconds(29)), Duration.ofSeconds(30));
        boolean ownerKeeps = store().update(running, extended);
        boolean takenOver = store().update(asRead, asRead.start(later, Duration.ofSeconds(30)));

        // then: the lease end is part of the condition, whatever the readers' clocks said
        assertTrue(ownerKeeps);
        assertFalse(takenOver);
        assertEquals(Optional.of(extended), store().find(queued.id()));
    }

    @Test
    void failedJobKeepsItsReasonAndTimings() {
        // given
        Job queued = queuedIn(newBatch(), "broken.jpg");
        store().insertNew(List.of(queued));
        Job running = queued.start(at(Duration.ofSeconds(1)), LEASE);
        store().update(queued, running);

        // when
        Job failed = running.fail("not an image: starts with 'GIF8' but is truncated", at(Duration.ofMillis(1500)));
        store().update(running, failed);

        // then
        Job stored = store().find(queued.id()).orElseThrow();
        assertEquals(failed, stored);
        assertEquals(1, stored.attempts());
    }

    @Test
    void argsOnlyJobWithoutInputRoundTrips() {
        // given
        Job job = aJob().spec(aSpec().batch(newBatch()).input(null).args("x", "y")).build();

        // when
        store().insertNew(List.of(job));

        // then
        assertEquals(Optional.of(job), store().find(job.id()));
    }

    @Test
    void listGivesOneBatchOldestFirstFilteredByStateAndLimited() {
        // given: inserted out of creation order, plus a job of another batch
        String batch = newBatch();
        Job second = aJob().spec(aSpec().batch(batch).input("file:/in/2.jpg")).createdAt(T0.plusSeconds(2)).build();
        Job third = aJob().spec(aSpec().batch(batch).input("file:/in/3.jpg")).createdAt(T0.plusSeconds(3)).build();
        Job first = aJob().spec(aSpec().batch(batch).input("file:/in/1.jpg")).createdAt(T0.plusSeconds(1)).build();
        Job elsewhere = queuedIn(newBatch(), "elsewhere.jpg"); // another input: job ids do not depend on the batch
        store().insertNew(List.of(second, third, first, elsewhere));
        Job secondRunning = second.start(at(Duration.ofSeconds(10)), LEASE);
        store().update(second, secondRunning);

        // when
        List<Job> all = store().list(batch, null, 10);
        List<Job> queued = store().list(batch, JobState.QUEUED, 10);
        List<Job> running = store().list(batch, JobState.RUNNING, 10);
        List<Job> firstTwo = store().list(batch, null, 2);

        // then
        assertEquals(List.of(first, secondRunning, third), all);
        assertEquals(List.of(first, third), queued);
        assertEquals(List.of(secondRunning), running);
        assertEquals(List.of(first, secondRunning), firstTwo);
    }

    @Test
    void listAfterPagesThroughABatchFromTheLastJobShownWithTiesInCreationTime() {
        // given: 7 jobs, some created in the same instant, one of them failed
        String batch = newBatch();
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Job job = aJob().spec(aSpec().batch(batch).input("file:/in/p" + i + ".jpg")).createdAt(T0.plusSeconds(i / 2)).build();
            jobs.add(i == 4 ? job.start(at(Duration.ofSeconds(9)), LEASE).fail("broken", at(Duration.ofSeconds(10))) : job);
        }
        store().insertNew(jobs);

        // when: pages of 3, each after the last job of the one before
        List<Job> seen = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 4; page++) {
            List<Job> next = store().listAfter(batch, null, after, 3);
            seen.addAll(next);
            after = next.isEmpty() ? after : next.get(next.size() - 1).id();
        }

        // then: every job once, oldest first; a state filter pages the same way; an unknown cursor is refused
        assertEquals(7, seen.size());
        assertEquals(Set.copyOf(jobs), Set.copyOf(seen));
        for (int i = 1; i < seen.size(); i++) {
            assertFalse(seen.get(i).createdAt().isBefore(seen.get(i - 1).createdAt()), "oldest first");
        }
        List<Job> queued = store().listAfter(batch, JobState.QUEUED, seen.get(0).id(), 10);
        assertEquals(seen.subList(1, 7).stream().filter(j -> j.state() == JobState.QUEUED).toList(), queued);
        assertThrows(IllegalArgumentException.class, () -> store().listAfter(batch, null, "no-such-job", 3));
    }

    @Test
    void listWithoutBatchSpansBatchesOldestFirst() {
        // given: two jobs of two fresh batches (the store may hold other tests' jobs too)
        Job older = aJob().spec(aSpec().batch(newBatch()).input("file:/in/old.jpg")).createdAt(T0.minusSeconds(3600)).build();
        Job newer = aJob().spec(aSpec().batch(newBatch()).input("file:/in/new.jpg")).createdAt(T0.minusSeconds(60)).build();
        store().insertNew(List.of(newer, older));

        // when
        List<Job> all = store().list(null, JobState.QUEUED, 10_000);

        // then
        List<Job> ours = all.stream().filter(j -> j.equals(older) || j.equals(newer)).toList();
        assertEquals(List.of(older, newer), ours);
        for (int i = 1; i < all.size(); i++) {
            assertFalse(all.get(i).createdAt().isBefore(all.get(i - 1).createdAt()), "oldest first");
        }
    }

    @Test
    void countsFollowEveryInsertAndMoveOfTheBatchOnly() {
        // given: three jobs, one of them submitted twice, and a job of another batch
        String batch = newBatch();
        Job a = queuedIn(batch, "a.jpg");
        Job b = queuedIn(batch, "b.jpg");
        Job c = queuedIn(batch, "c.jpg");
        store().insertNew(List.of(a, b, c));
        store().insertNew(List.of(b));
        store().insertNew(List.of(queuedIn(newBatch(), "elsewhere.jpg")));

        // when: a runs, b runs, c is canceled, a succeeds; a refused write counts nothing
        Job aRunning = a.start(at(Duration.ofSeconds(5)), LEASE);
        store().update(a, aRunning);
        Job bRunning = b.start(at(Duration.ofSeconds(7)), LEASE);
        store().update(b, bRunning);
        store().update(c, c.cancel(at(Duration.ofSeconds(8))));
        store().update(aRunning, aRunning.succeed(List.of(), 0, at(Duration.ofSeconds(9))));
        assertFalse(store().update(a, a.start(at(Duration.ofSeconds(10)), LEASE)));
        BatchCounts counts = store().counts(batch);

        // then
        assertEquals(Map.of(JobState.QUEUED, 0L, JobState.RUNNING, 1L, JobState.SUCCEEDED, 1L, JobState.FAILED, 0L,
                JobState.CANCELED, 1L), counts.byState());
        assertEquals(3, counts.total());
        assertEquals(2, counts.finished());
        assertEquals(T0.plusSeconds(5), counts.firstStarted());
        assertEquals(T0.plusSeconds(9), counts.lastFinished());
    }

    @Test
    void outputsASuccessReplacedAreKeptOnItsRecordAndAddUpInItsBatch() {
        // given two jobs of a batch
        String batch = newBatch();
        Job a = queuedIn(batch, "a.jpg");
        Job b = queuedIn(batch, "b.jpg");
        store().insertNew(List.of(a, b));

        // when a's success wrote over 2 blobs and b's over none
        Job aRunning = a.start(at(Duration.ofSeconds(5)), LEASE);
        store().update(a, aRunning);
        Job aDone = aRunning.succeed(List.of("file:/out/a.jpg", "file:/out/a.png"), 2, at(Duration.ofSeconds(6)));
        assertTrue(store().update(aRunning, aDone));
        Job bRunning = b.start(at(Duration.ofSeconds(5)), LEASE);
        store().update(b, bRunning);
        store().update(bRunning, bRunning.succeed(List.of("file:/out/b.jpg"), 0, at(Duration.ofSeconds(7))));

        // then a's record says so, and the batch counts both successes' replaced outputs
        assertEquals(2, store().find(a.id()).orElseThrow().replaced());
        assertEquals(2, store().counts(batch).replaced());
        assertEquals(0, store().counts(newBatch()).replaced());
    }

    @Test
    void countsOfAnUnknownBatchAreZero() {
        BatchCounts counts = store().counts(newBatch());

        assertEquals(0, counts.total());
        assertEquals(null, counts.firstStarted());
    }

    @Test
    void batchesGivesEveryBatchsCountsOldestFirst() {
        // given
        String older = newBatch();
        String newer = newBatch();
        store().insertNew(List.of(aJob().spec(aSpec().batch(newer).input("file:/in/n.jpg")).createdAt(T0.plusSeconds(10)).build()));
        store().insertNew(List.of(aJob().spec(aSpec().batch(older).input("file:/in/o1.jpg")).build(),
                aJob().spec(aSpec().batch(older).input("file:/in/o2.jpg")).build()));

        // when
        List<BatchCounts> ours = store().batches().stream().filter(b -> b.batchId().equals(older) || b.batchId().equals(newer)).toList();

        // then
        assertEquals(List.of(older, newer), ours.stream().map(BatchCounts::batchId).toList());
        assertEquals(2, ours.get(0).of(JobState.QUEUED));
        assertEquals(1, ours.get(1).total());
    }
}
