package pixq.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static pixq.job.JobBuilders.aSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.image.OpenCvImageEngine;
import pixq.job.BlobStore;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.Submitter;
import pixq.local.LocalFolderBlobStore;
import pixq.local.LocalState;
import pixq.recipe.Recipes;

class QueueWorkerTest {
    @TempDir
    Path dir;

    @Test
    void a_burst_worker_waits_for_the_retry_it_handed_back_before_it_exits() throws Exception {
        // given one job whose first read fails as a throttled S3 read would
        Path input = Files.copy(Path.of("samples", "gray.jpg"), dir.resolve("a.jpg"));
        Path out = dir.resolve("out");
        JobSpec spec = aSpec().input(input.toUri().toString()).output(out.toUri() + "/").recipe(Recipes.resolve("thumbnail")).build();
        Clock clock = Clock.systemUTC();
        try (LocalState state = LocalState.open(dir.resolve("state"), Duration.ofMinutes(1), 3, Duration.ofMillis(20), clock)) {
            BlobStore local = new LocalFolderBlobStore(out);
            new Submitter(state.jobs(), state.queue(), local, clock).submit("b", List.of(spec));
            WorkerConfig config = WorkerConfig.defaults().withParallelism(1).withLease(Duration.ofMinutes(1));
            try (BatchRunner runner = new BatchRunner(state.jobs(), new ThrottledReads(local, 1), new OpenCvImageEngine(), config, clock)) {
                // when it works off the queue, as `pixq worker --burst` does
                new QueueWorker(state.queue(), runner, 1, result -> { }).run(() -> false, () -> true);
            }
            // then the retry ran before the worker exited
            Job job = state.jobs().find(spec.id()).orElseThrow();
            assertEquals(JobState.SUCCEEDED, job.state(), String.valueOf(job.lastError()));
            assertEquals(2, job.attempts());
        }
    }
}
