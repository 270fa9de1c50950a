package pixq.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.aJob;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.Delivery;
import pixq.job.Job;
import pixq.job.JobBuilders;
import pixq.job.MutableClock;

class LocalStateTest {
    @TempDir
    Path dir;

    @Test
    void jobsAndQueueSurviveReopeningTheStateFolder() {
        // given
        Path folder = dir.resolve(".pixq");
        Job job = aJob().build();
        assertFalse(LocalState.exists(folder));
        try (LocalState state = LocalState.open(folder)) {
            state.jobs().insertNew(List.of(job));
            state.queue().send(List.of(job.spec()));
        }

        // when
        try (LocalState state = LocalState.open(folder)) {
            // then
            assertTrue(LocalState.exists(folder));
            assertEquals(Optional.of(job), state.jobs().find(job.id()));
            assertEquals(job.spec().toJson(), state.queue().receive(1).get(0).body());
        }
    }

    @Test
    void onlyOneRunHoldsTheLockAndItMayReleaseTheLeasesOfAKilledRun() {
        // given: a run that leased a message and died without closing
        MutableClock clock = new MutableClock(JobBuilders.T0);
        Path folder = dir.resolve(".pixq");
        LocalState killed = LocalState.open(folder, Duration.ofMinutes(2), 3, Duration.ZERO, clock);
        killed.queue().send(List.of(aJob().build().spec()));
        Delivery lost = killed.queue().receive(1).get(0);
        assertTrue(killed.tryLockRun());

        try (LocalState next = LocalState.open(folder, Duration.ofMinutes(2), 3, Duration.ZERO, clock)) {
            // when / then: while the holder lives, no one else gets the lock
            assertFalse(next.tryLockRun());
            killed.close(); // as the OS does when the process dies
            assertTrue(next.tryLockRun());
            assertEquals(1, next.queue().releaseLeases());
            Delivery again = next.queue().receive(1).get(0);
            assertEquals(lost.messageId(), again.messageId());
            assertEquals(2, again.receiveCount());
        }
    }
}
