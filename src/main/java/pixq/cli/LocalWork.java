package pixq.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import pixq.job.JobQueue;
import pixq.image.EngineConfig;
import pixq.image.ImageEngine;
import pixq.image.OpenCvImageEngine;
import pixq.job.BatchCompletion;
import pixq.job.BatchCounts;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.local.BatchDoneCommand;
import pixq.local.LocalFolderBlobStore;
import pixq.local.LocalState;
import pixq.local.SqliteJobQueue;
import pixq.worker.BatchRunner;
import pixq.worker.Outcome;
import pixq.worker.QueueWorker;

/**
 * Works the embedded queue on this machine until the given jobs are finished, with a progress bar and a
 * summary: what `pixq run` and `pixq retry` share.
 */
final class LocalWork implements AutoCloseable {
    private final LocalState local;
    private final WorkOptions options;
    private final Clock clock;
    private final CompletableFuture<ImageEngine> engine;
    private String onBatchDone;

    private LocalWork(LocalState local, WorkOptions options, Clock clock, CompletableFuture<ImageEngine> engine) {
        this.local = local;
        this.options = options;
        this.clock = clock;
        this.engine = engine;
    }

    /**
     * Opens the state folder for work. Holding its run lock proves no other worker is alive on it, so
     * jobs left RUNNING and messages left leased were a killed run's: they go back to the queue at once
     * instead of after their lease.
     */
    static LocalWork open(Path stateDir, WorkOptions options, Clock clock) {
        // Loading OpenCV's natives takes most of a second: do it while the database opens and jobs are submitted.
        EngineConfig config = options.engine(); // here, so that a bad --command stops the run before any job is queued
        CompletableFuture<ImageEngine> engine = CompletableFuture.supplyAsync(() -> new OpenCvImageEngine(config));
        // No receive wait: the run's jobs are all queued before its pollers start, and a poller that finds none
        // visible waits for the next job to end instead (QueueWorker's idle pause): a wait only delayed the run's
        // end, by its 50 ms.
        LocalState local = LocalState.open(stateDir, LocalState.DEFAULT_VISIBILITY_TIMEOUT, JobQueue.DEFAULT_MAX_RECEIVES,
                Duration.ZERO, clock);
        local.takeOver(clock);
        return new LocalWork(local, options, clock, engine);
    }

    LocalState state() {
        return local;
    }

    /** A shell command that gets each batch's completion event as JSON on its standard input (null: none). */
    LocalWork onBatchDone(String command) {
        this.onBatchDone = command;
        return this;
    }

    /**
     * Processes the batches of {@code specs} until none of their messages is left (other batches' jobs wait
     * for their own command), writing only under the deepest folder that holds all their outputs. A dead
     * worker thread or a state database that cannot be written stops the run with an exception saying so:
     * the jobs left stay queued, for the same command to resume.
     */
    int until(List<JobSpec> specs) throws InterruptedException {
        Set<String> batches = specs.stream().map(JobSpec::batchId).collect(Collectors.toCollection(LinkedHashSet::new));
        Path outputRoot = commonFolder(specs);
        var config = options.worker();
        var blobs = new LocalFolderBlobStore(outputRoot, options.outputWriter);
        BatchCompletion completion = new BatchCompletion(local.jobs(), blobs, local.completionClaims(), local.manifests(),
                new BatchDoneCommand(onBatchDone, BatchDoneCommand.LIMIT, System.err, false, clock));
        SqliteJobQueue queue = local.failingDeadLetters(local.queue().only(batches), clock, completion, System.err);
        Counts before = counts(batches);
        System.err.printf("%d jobs, %d already finished; %d workers%n", before.total, before.finished, config.parallelism());
        ProgressBar bar = new ProgressBar(System.err, clock, (int) before.total, (int) before.finished, System.console() != null);
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger replaced = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> interrupt(stop, finished));
        Runtime.getRuntime().addShutdownHook(hook);
        // a killed run's half-done writes (this one holds the run lock): gone before their jobs are redone
        int leftovers = blobs.removeLeftovers(ProcessHandle.current().info().startInstant().orElseGet(clock::instant));
        if (leftovers > 0) {
            System.err.printf("removed %d temp files a stopped run left in %s%n", leftovers, outputRoot);
        }
        ImageEngine ready = engine.join();
        long start = clock.millis(); // the summary's images/s: processing, not loading OpenCV
        try (BatchRunner runner = new BatchRunner(local.jobs(), blobs, ready, config, clock, completion)) {
            QueueWorker worker = new QueueWorker(queue, runner, config.parallelism(), result -> {
                ran.addAndGet(result.outcome() == Outcome.SUCCEEDED ? 1 : 0);
                replaced.addAndGet(result.replaced());
                counts(batches).showOn(bar);
            });
            before.showOn(bar);
            worker.run(stop::get, queue::isEmpty);
        } finally {
            Counts after = counts(batches);
            bar.finish((int) after.finished, (int) after.failed);
            finished.countDown();
            if (!stop.get()) { // not shutting down: the hook must not run later and say "stopping"
                Runtime.getRuntime().removeShutdownHook(hook);
            }
        }
        if (stop.get()) {
            return 130;
        }
        return summary(batches, ran.get(), clock.millis() - start, outputRoot, replaced.get());
    }

    /** The command that requeues these batches' failed (or, with {@code --canceled}, canceled) jobs, on this state. */
    private String retryCommand(Set<String> batches, String option) {
        return "pixq retry" + (batches.size() == 1 ? " " + batches.iterator().next() : "") + (option.isEmpty() ? "" : " " + option)
                + StateOption.flag(local.folder());
    }

    static Path commonFolder(List<JobSpec> specs) {
        Path common = null;
        for (JobSpec spec : specs) {
            Path folder = Path.of(URI.create(spec.output()));
            while (common != null && !folder.startsWith(common)) {
                common = common.getParent();
            }
            common = common == null ? folder : common;
        }
        return common;
    }

    @Override
    public void close() {
        local.close();
    }

    /** The batches' jobs: all of them, and those finished, failed, succeeded and canceled (sums of their counts). */
    private record Counts(long total, long finished, long failed, long succeeded, long canceled) {
        void showOn(ProgressBar bar) {
            bar.show((int) finished, (int) failed);
        }
    }

    private Counts counts(Set<String> batches) {
        List<BatchCounts> all = batches.stream().map(local.jobs()::counts).toList();
        return new Counts(all.stream().mapToLong(BatchCounts::total).sum(), all.stream().mapToLong(BatchCounts::finished).sum(),
                all.stream().mapToLong(c -> c.of(JobState.FAILED)).sum(), all.stream().mapToLong(c -> c.of(JobState.SUCCEEDED)).sum(),
                all.stream().mapToLong(c -> c.of(JobState.CANCELED)).sum());
    }

    /** Ctrl-C or kill: stop starting jobs, let the running ones finish briefly; the rest resumes next time. */
    private static void interrupt(AtomicBoolean stop, CountDownLatch finished) {
        stop.set(true);
        System.err.println("\nstopping: letting running images finish; run the same command again to resume");
        try {
            finished.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int summary(Set<String> batches, int ran, long millis, Path outputRoot, int replaced) {
        Counts counts = counts(batches);
        System.out.printf("%d succeeded, %d failed%s; %d images processed in %.1f s (%.1f images/s); outputs in %s%n",
                counts.succeeded, counts.failed,
                counts.canceled == 0 ? "" : ", " + counts.canceled + " canceled (" + retryCommand(batches, "--canceled") + " resumes them)",
                ran, millis / 1000.0, ran * 1000.0 / Math.max(1, millis), outputRoot);
        if (replaced > 0) {
            System.out.printf("%d outputs replaced files of the same name made earlier from the same inputs (another recipe,"
                    + " a changed input or an earlier attempt): write to another --out to keep both%n", replaced);
        }
        List<Job> failedJobs = batches.stream().flatMap(b -> local.jobs().list(b, JobState.FAILED, 20).stream()).limit(20).toList();
        failedJobs.forEach(job -> System.out.printf("  FAILED %s  %s: %s%n", job.id(),
                job.spec().input() != null ? job.spec().input() : "args " + job.spec().args(), job.lastError()));
        if (counts.failed > 20) {
            System.out.printf("  ... and %d more: pixq failures%s%n", counts.failed - 20, StateOption.flag(local.folder()));
        }
        if (counts.failed > 0) {
            System.out.printf("to retry the failed jobs once their cause is fixed: %s%n", retryCommand(batches, ""));
        }
        if (counts.finished < counts.total) {
            throw new IllegalStateException((counts.total - counts.finished) + " jobs were left unfinished with no message to run them:"
                    + " run the same command again to send them", null);
        }
        return counts.failed == 0 && counts.canceled == 0 ? 0 : 2;
    }
}
