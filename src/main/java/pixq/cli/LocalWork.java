package pixq.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import pixq.image.EngineConfig;
import pixq.image.ImageEngine;
import pixq.image.OpenCvImageEngine;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.local.LocalFolderBlobStore;
import pixq.local.LocalState;
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
        // A short receive wait: the run ends as soon as its last job does, not a long poll later.
        LocalState local = LocalState.open(stateDir, LocalState.DEFAULT_VISIBILITY_TIMEOUT, LocalState.DEFAULT_MAX_RECEIVES,
                Duration.ofMillis(50), clock);
        takeOver(local);
        return new LocalWork(local, options, clock, engine);
    }

    /**
     * Takes the state's run lock (closing it and refusing when another worker holds it); then what a killed
     * worker left RUNNING or leased goes back to the queue at once instead of after its lease.
     */
    static void takeOver(LocalState local) {
        if (!local.tryLockRun()) {
            local.close();
            throw new IllegalStateException("another pixq run or serve is using " + local.folder()
                    + ": wait for it to finish, or give this one its own --state DIR");
        }
        local.queue().releaseLeases();
        for (Job job : local.jobs().list(null, JobState.RUNNING, Integer.MAX_VALUE)) {
            local.jobs().update(job, job.retryLater("interrupted (the worker stopped while running it)"));
        }
    }

    LocalState state() {
        return local;
    }

    /**
     * Processes until every job of {@code specs} is finished, writing only under the deepest folder that
     * holds all their outputs.
     */
    int until(List<JobSpec> specs) throws InterruptedException {
        Set<String> jobIds = specs.stream().map(JobSpec::id).collect(Collectors.toCollection(LinkedHashSet::new));
        Path outputRoot = commonFolder(specs);
        var config = options.worker();
        int alreadyDone = (int) jobIds.stream().filter(this::finished).count();
        System.err.printf("%d jobs, %d already finished; %d workers%n", jobIds.size(), alreadyDone, config.parallelism());
        ProgressBar bar = new ProgressBar(System.err, clock, jobIds.size(), alreadyDone, System.console() != null);
        AtomicInteger done = new AtomicInteger(alreadyDone);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> interrupt(stop, finished));
        Runtime.getRuntime().addShutdownHook(hook);
        long start = clock.millis();
        var blobs = new LocalFolderBlobStore(outputRoot);
        try (BatchRunner runner = new BatchRunner(local.jobs(), blobs, engine.join(), config, clock)) {
            QueueWorker worker = new QueueWorker(local.queue(), runner, config.parallelism(), result -> {
                if (result.jobId() == null || !jobIds.contains(result.jobId())) {
                    return;
                }
                ran.addAndGet(result.outcome() == Outcome.SUCCEEDED ? 1 : 0);
                done.addAndGet(result.outcome().finishesJob() ? 1 : 0);
                failed.addAndGet(result.outcome() == Outcome.FAILED || result.outcome() == Outcome.DEAD_LETTERED ? 1 : 0);
                bar.show(done.get(), failed.get());
            });
            bar.show(done.get(), failed.get());
            worker.run(stop::get, () -> jobIds.stream().allMatch(this::finished));
        } finally {
            bar.finish(done.get(), failed.get());
            finished.countDown();
        }
        if (stop.get()) {
            return 130;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        return summary(jobIds, ran.get(), clock.millis() - start, outputRoot);
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

    private boolean finished(String jobId) {
        return local.jobs().find(jobId).map(job -> job.state().isFinished()).orElse(true);
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

    private int summary(Collection<String> jobIds, int ran, long millis, Path outputRoot) {
        List<Job> jobs = jobIds.stream().flatMap(id -> local.jobs().find(id).stream()).toList();
        List<Job> failedJobs = jobs.stream().filter(job -> job.state() == JobState.FAILED).toList();
        long succeeded = jobs.stream().filter(job -> job.state() == JobState.SUCCEEDED).count();
        long canceled = jobs.stream().filter(job -> job.state() == JobState.CANCELED).count();
        System.out.printf("%d succeeded, %d failed%s; %d images processed in %.1f s (%.1f images/s); outputs in %s%n",
                succeeded, failedJobs.size(), canceled == 0 ? "" : ", " + canceled + " canceled (pixq retry --canceled resumes them)",
                ran, millis / 1000.0, ran * 1000.0 / Math.max(1, millis), outputRoot);
        failedJobs.stream().limit(20).forEach(job ->
                System.out.printf("  FAILED %s  %s: %s%n", job.id(),
                        job.spec().input() != null ? job.spec().input() : "args " + job.spec().args(), job.lastError()));
        if (failedJobs.size() > 20) {
            System.out.printf("  ... and %d more: pixq failures%n", failedJobs.size() - 20);
        }
        return failedJobs.isEmpty() && canceled == 0 ? 0 : 2;
    }
}
