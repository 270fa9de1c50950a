package pixq.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.LEASE;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import pixq.recipe.Recipe;
import pixq.recipe.Recipes;

class JobTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    private static final Recipe RECIPE = new Recipe("thumbnail", List.of(), List.of());

    private static JobSpec spec(String input, List<String> args) {
        return JobSpec.of("batch-1", input, "file:/out/", RECIPE, args);
    }

    @Test
    void the_same_input_recipe_and_args_give_the_same_id() {
        assertEquals(spec("s3://in/a.jpg", List.of("x")).id(), spec("s3://in/a.jpg", List.of("x")).id());
        assertNotEquals(spec("s3://in/a.jpg", List.of("x")).id(), spec("s3://in/a.jpg", List.of("y")).id());
        assertNotEquals(spec("s3://in/a.jpg", List.of()).id(), spec("s3://in/b.jpg", List.of()).id());
    }

    @Test
    void a_job_id_is_the_same_in_every_jvm_and_release_pinned_here() {
        // custom params are a Map whose iteration order changes from JVM to JVM; the id must not
        JobSpec spec = JobSpec.of("b", "file:///in/a.jpg", "1234:1700000000000000000", "file:///out/",
                Recipes.resolve("custom invert a=1 b=2 c=3 d=4 | png"), List.of("x"));
        assertEquals("2f70f460e4b7498cc14205be", spec.id(), "the id of form " + JobSpec.ID_FORM + " changed: old records would be redone");
    }

    @Test
    void a_new_version_of_the_input_is_a_new_job() {
        Recipe recipe = Recipes.resolve("thumbnail");
        assertNotEquals(JobSpec.of("b", "s3://in/a.jpg", "etag1", "s3://out/", recipe, List.of()).id(),
                JobSpec.of("b", "s3://in/a.jpg", "etag2", "s3://out/", recipe, List.of()).id());
    }

    @Test
    void a_job_runs_and_succeeds_keeping_its_timings_and_outputs() {
        // given
        Job queued = Job.queued(spec("s3://in/a.jpg", List.of()), CLOCK);
        // when
        Job running = queued.start(CLOCK, LEASE);
        Job done = running.succeed(List.of("s3://out/a-thumb.jpg"), 0, CLOCK);
        // then
        assertEquals(JobState.SUCCEEDED, done.state());
        assertEquals(1, done.attempts());
        assertEquals(CLOCK.instant(), done.startedAt());
        assertEquals(CLOCK.instant(), done.finishedAt());
        assertEquals(List.of("s3://out/a-thumb.jpg"), done.outputs());
    }

    @Test
    void a_retryable_failure_goes_back_to_the_queue_with_its_reason_and_counts_the_attempt() {
        Job again = Job.queued(spec("s3://in/a.jpg", List.of()), CLOCK).start(CLOCK, LEASE).retryLater("S3 timed out");
        assertEquals(JobState.QUEUED, again.state());
        assertEquals("S3 timed out", again.lastError());
        assertEquals(2, again.start(CLOCK, LEASE).attempts());
    }

    @Test
    void a_succeeded_job_only_goes_back_to_the_queue_to_be_redone() {
        Job done = Job.queued(spec("s3://in/a.jpg", List.of()), CLOCK).start(CLOCK, LEASE).succeed(List.of("s3://out/a.jpg"), 0, CLOCK);
        assertThrows(IllegalTransitionException.class, () -> done.start(CLOCK, LEASE));
        assertThrows(IllegalTransitionException.class, () -> done.fail("late", CLOCK));
        Job redo = done.requeue();
        assertEquals(JobState.QUEUED, redo.state());
        assertEquals(0, redo.attempts());
        assertEquals(List.of(), redo.outputs());
    }

    @Test
    void a_failed_job_can_be_requeued_like_rq_requeue() {
        Job failed = Job.queued(spec("s3://in/a.jpg", List.of()), CLOCK).sent(CLOCK).start(CLOCK, LEASE).fail("corrupt JPEG", CLOCK);
        Job requeued = failed.requeue();
        assertEquals(JobState.QUEUED, requeued.state());
        assertEquals(0, requeued.attempts());
        assertNull(requeued.finishedAt());
        assertNull(requeued.sentAt(), "its message was spent: it has none until a new one is sent");
    }

    @Test
    void a_queued_job_cannot_succeed_without_running_but_can_fail_when_dead_lettered() {
        Job queued = Job.queued(spec("s3://in/a.jpg", List.of()), CLOCK);
        assertThrows(IllegalTransitionException.class, () -> queued.succeed(List.of(), 0, CLOCK));
        assertEquals(JobState.FAILED, queued.fail("dead-lettered after 3 receives", CLOCK).state());
    }

    @ParameterizedTest
    @EnumSource(JobState.class)
    void only_finished_states_are_finished(JobState state) {
        assertEquals(state != JobState.QUEUED && state != JobState.RUNNING, state.isFinished());
        assertEquals(state == JobState.QUEUED, JobState.SUCCEEDED.canMoveTo(state), "only back to the queue, to be redone");
        assertTrue(state.canMoveTo(JobState.QUEUED) || state == JobState.QUEUED);
    }

    @Test
    void a_job_message_survives_the_round_trip_and_a_malformed_one_says_why() {
        JobSpec spec = spec("s3://in/a.jpg", List.of("a", "b"));
        assertEquals(spec, JobSpec.fromJson(spec.toJson()));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> JobSpec.fromJson("{not json"));
        assertTrue(error.getMessage().startsWith("malformed job message"), error.getMessage());
    }
}
