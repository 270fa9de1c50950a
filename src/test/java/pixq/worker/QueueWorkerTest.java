package pixq.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.aSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pixq.image.EngineConfig;
import pixq.image.OpenCvImageEngine;
import pixq.job.BlobStore;
import pixq.job.Delivery;
import pixq.job.Job;
import pixq.job.JobQueue;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.StoreException;
import pixq.job.Submitter;
import pixq.local.LocalFolderBlobStore;
import pixq.local.LocalState;
import pixq.local.SqliteDatabase;
import pixq.local.SqliteJobQueue;
import pixq.local.SqliteJobStore;
import pixq.recipe.RecipeString;
import pixq.recipe.Recipes;

/** The long-running worker on the embedded queue, in real time: leases kept while jobs run, pollers that die. */
class QueueWorkerTest {
    /** Short, so that a job of a few seconds outlives it several times over. */
    private static final Duration LEASE = Duration.ofMillis(900);

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private SqliteJobStore store;

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(dir.resolve("pixq.db"));
        store = new SqliteJobStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void a_job_longer_than_its_lease_runs_once_while_two_pollers_wait() throws Exception {
        // given: a command that takes 3 s (over three leases) and counts its runs
        Path runs = dir.resolve("runs.txt");
        Path slow = script("slow.sh", "echo run >> '" + runs + "'\nsleep 3\ncp \"$1\" \"$2\"\n");
        JobSpec spec = queueOneJob("long");

        // when
        workOffWithTwoPollers(slow, QueueWorker.IDLE_PAUSE);

        // then
        Job job = store.find(spec.id()).orElseThrow();
        assertEquals(JobState.SUCCEEDED, job.state(), String.valueOf(job.lastError()));
        assertEquals(1, job.attempts());
        assertEquals(List.of("run"), Files.readAllLines(runs));
    }

    @Test
    @Timeout(60)
    void a_poller_with_nothing_to_do_wakes_when_the_other_ones_last_job_ends_not_a_pause_later() throws Exception {
        // given one job that takes a second, two pollers, and an idle pause of an hour
        Path slow = script("slow.sh", "sleep 1\ncp \"$1\" \"$2\"\n");
        JobSpec spec = queueOneJob("last");

        // when: the run ends within the test's time limit only if the idle poller is woken when the job is settled
        workOffWithTwoPollers(slow, Duration.ofHours(1));

        // then
        assertEquals(JobState.SUCCEEDED, store.find(spec.id()).orElseThrow().state());
    }

    @Test
    void a_poller_that_dies_stops_the_others_and_its_error_is_thrown() {
        // given: a queue whose database cannot be written any more
        AtomicInteger receives = new AtomicInteger();
        JobQueue full = new JobQueue() {
            @Override
            public void send(List<JobSpec> jobs) {}

            @Override
            public List<Delivery> receive(int max) {
                if (receives.incrementAndGet() == 3) {
                    throw new StoreException("the state database pixq.db cannot be written: its disk is full", null);
                }
                return List.of();
            }

            @Override
            public void delete(Delivery delivery) {}

            @Override
            public void retryLater(Delivery delivery, Duration delay) {}

            @Override
            public Duration retention() {
                return Duration.ofDays(4);
            }
        };
        WorkerConfig config = new WorkerConfig(4, 3, 1 << 20, LEASE, Duration.ofMinutes(1));

        // when
        StoreException thrown;
        try (BatchRunner runner = new BatchRunner(store, new LocalFolderBlobStore(dir), new OpenCvImageEngine(), config, Clock.systemUTC())) {
            thrown = assertThrows(StoreException.class,
                    () -> new QueueWorker(full, runner, 4, result -> {}).run(() -> false, () -> false));
        }

        // then: the run ends (it never would by itself: idle is always false) and says why
        assertTrue(thrown.getMessage().contains("disk is full"), thrown.getMessage());
    }

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

    /** One job in batch {@code batch}: samples/gray.jpg through the command {@code slow}, then as PNG. */
    private JobSpec queueOneJob(String batch) throws IOException {
        Path input = Files.copy(Path.of("samples/gray.jpg"), dir.resolve("gray.jpg"));
        JobSpec spec = JobSpec.of(batch, input.toUri().toString(), dir.resolve("out").toUri() + "/",
                RecipeString.parse("command slow | png"), List.of());
        new Submitter(store, queue(), new LocalFolderBlobStore(dir.resolve("out")), Clock.systemUTC()).submit(batch, List.of(spec));
        return spec;
    }

    /** Two pollers work the queue until no message is left, {@code slow} being the command of that name. */
    private void workOffWithTwoPollers(Path slow, Duration idlePause) throws InterruptedException {
        SqliteJobQueue queue = queue();
        WorkerConfig config = new WorkerConfig(2, 3, 1 << 24, LEASE, Duration.ofMinutes(1));
        var engine = new OpenCvImageEngine(EngineConfig.defaults().withCommands(Map.of("slow", slow)));
        try (BatchRunner runner = new BatchRunner(store, new LocalFolderBlobStore(dir.resolve("out")), engine, config, Clock.systemUTC())) {
            new QueueWorker(queue, runner, 2, result -> {}, idlePause).run(() -> false, queue::isEmpty);
        }
    }

    private SqliteJobQueue queue() {
        return new SqliteJobQueue(db, LEASE, 3, Duration.ofMillis(50), Clock.systemUTC());
    }

    private Path script(String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
