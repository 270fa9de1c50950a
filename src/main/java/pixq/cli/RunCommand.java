package pixq.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.image.EngineConfig;
import pixq.image.OpenCvImageEngine;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.SubmitResult;
import pixq.job.Submitter;
import pixq.local.LocalFolderBlobStore;
import pixq.local.LocalState;
import pixq.recipe.Recipe;
import pixq.recipe.Recipes;
import pixq.worker.BatchRunner;
import pixq.worker.ItemResult;
import pixq.worker.Outcome;
import pixq.worker.QueueWorker;
import pixq.worker.WorkerConfig;

@Command(
        name = "run",
        description = {
            "Processes images on this machine, on all cores, with the real job semantics: every image is a job",
            "with an id and a status; a failed image fails alone, with its reason; interrupted runs resume."
        },
        footer = {
            "",
            "Examples:",
            "  pixq run ./photos --out ./out --recipe thumbnail",
            "  pixq run ./photos --out ./out --recipe web --workers 2",
            "  pixq run scan.tif --out ./out --recipe 'orient | fit 1024x1024 | jpeg 85'",
            "  pixq run ./photos --out ./out --recipe my-recipe.json --arg watermark=acme",
            "",
            "Stopped with Ctrl-C (or killed)? Run the same command again: finished images are not redone."
        })
final class RunCommand implements Callable<Integer> {
    /** Extensions taken when walking a folder; the format itself is always sniffed from the bytes. */
    private static final Set<String> IMAGE_EXTENSIONS =
            Set.of("jpg", "jpeg", "jpe", "png", "gif", "bmp", "tif", "tiff", "webp");

    @Parameters(arity = "1..*", paramLabel = "DIR|FILE", description = "Folders (walked recursively) and image files.")
    List<Path> inputs;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Where outputs are written.")
    Path out;

    @Option(names = {"-r", "--recipe"}, defaultValue = "thumbnail", paramLabel = "RECIPE",
            description = "A built-in recipe (thumbnail, web, meta), a recipe .json file, or a short recipe string"
                    + " (default: ${DEFAULT-VALUE}).")
    String recipe;

    @Option(names = "--arg", paramLabel = "ARG", description = "An argument handed to custom code (repeatable).")
    List<String> args = new ArrayList<>();

    @Option(names = {"-w", "--workers"}, paramLabel = "N",
            description = "Images processed at once (default: one per core, fewer if memory is short).")
    Integer workers;

    @Option(names = "--command", paramLabel = "NAME=PATH",
            description = "An executable the recipe's `command` step may run, by name (repeatable).")
    Map<String, Path> commands = Map.of();

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "100000000",
            description = "Refuse images larger than this many pixels, before decoding (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Mixin
    StateOption state;

    @Override
    public Integer call() throws Exception {
        Clock clock = Clock.systemUTC();
        Recipe chosen = Recipes.resolve(recipe);
        List<JobSpec> specs = specs(chosen);
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("no images found in " + inputs);
        }
        // The same command over the same images is the same batch, so a rerun resumes it.
        String batchId = "run-" + JobSpec.digest(specs.stream().map(JobSpec::id).toList()).substring(0, 10);
        specs = specs.stream().map(s -> s.inBatch(batchId)).toList();
        WorkerConfig config = WorkerConfig.defaults();
        if (workers != null) {
            config = config.withParallelism(workers);
        }
        try (LocalState local = LocalState.open(state.dir)) {
            if (!local.tryLockRun()) {
                throw new IllegalStateException("another pixq run is using " + state.dir
                        + ": wait for it to finish, or give this one its own --state DIR");
            }
            recoverInterrupted(local);
            SubmitResult submitted = new Submitter(local.jobs(), local.queue(), clock).submit(batchId, specs);
            int alreadyDone = countFinished(local, specs);
            System.err.printf("batch %s: %d images, %d new jobs, %d already finished; %d workers%n",
                    batchId, specs.size(), submitted.jobs(), alreadyDone, config.parallelism());
            return process(local, config.withLease(LocalState.DEFAULT_VISIBILITY_TIMEOUT), clock, specs, batchId, alreadyDone);
        }
    }

    private int process(LocalState local, WorkerConfig config, Clock clock, List<JobSpec> specs, String batchId,
            int alreadyDone) throws InterruptedException {
        EngineConfig engineConfig = EngineConfig.defaults().withMaxPixels(maxPixels).withCommands(commands);
        ProgressBar bar = new ProgressBar(System.err, clock, specs.size(), System.console() != null);
        AtomicInteger done = new AtomicInteger(alreadyDone);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> interrupt(stop, finished));
        Runtime.getRuntime().addShutdownHook(hook);
        long start = clock.millis();
        try (BatchRunner runner = new BatchRunner(local.jobs(), new LocalFolderBlobStore(out), new OpenCvImageEngine(engineConfig), config, clock)) {
            QueueWorker worker = new QueueWorker(local.queue(), runner, config.parallelism(), result -> {
                if (!batchId.equals(batchOf(result, local))) {
                    return;
                }
                if (result.outcome() == Outcome.SUCCEEDED) {
                    ran.incrementAndGet();
                }
                if (result.outcome().finishesJob()) {
                    done.incrementAndGet();
                }
                if (result.outcome() == Outcome.FAILED || result.outcome() == Outcome.DEAD_LETTERED) {
                    failed.incrementAndGet();
                }
                bar.show(done.get(), failed.get());
            });
            bar.show(done.get(), failed.get());
            worker.run(stop::get, () -> nothingLeft(local, batchId));
        } finally {
            bar.finish(done.get(), failed.get());
            finished.countDown();
        }
        if (stop.get()) {
            return 130;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        return summary(local, batchId, ran.get(), clock.millis() - start);
    }

    private static String batchOf(ItemResult result, LocalState local) {
        return result.jobId() == null ? null : local.jobs().find(result.jobId()).map(j -> j.spec().batchId()).orElse(null);
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

    /**
     * We hold the run lock, so no other worker is alive on this state: jobs left RUNNING and messages left
     * leased were a killed run's, and go back to the queue at once instead of after their lease.
     */
    private static void recoverInterrupted(LocalState local) {
        local.queue().releaseLeases();
        for (Job job : local.jobs().list(null, JobState.RUNNING, Integer.MAX_VALUE)) {
            local.jobs().update(job, job.retryLater("interrupted (the worker stopped while running it)"));
        }
    }

    private static boolean nothingLeft(LocalState local, String batchId) {
        return local.jobs().list(batchId, JobState.QUEUED, 1).isEmpty()
                && local.jobs().list(batchId, JobState.RUNNING, 1).isEmpty();
    }

    private static int countFinished(LocalState local, List<JobSpec> specs) {
        int n = 0;
        for (JobSpec spec : specs) {
            n += local.jobs().find(spec.id()).filter(job -> job.state().isFinished()).isPresent() ? 1 : 0;
        }
        return n;
    }

    private int summary(LocalState local, String batchId, int ran, long millis) {
        List<Job> failedJobs = local.jobs().list(batchId, JobState.FAILED, 10_000);
        int succeeded = local.jobs().list(batchId, JobState.SUCCEEDED, Integer.MAX_VALUE).size();
        System.out.printf("%d succeeded, %d failed; %d images processed in %.1f s (%.1f images/s); outputs in %s%n",
                succeeded, failedJobs.size(), ran, millis / 1000.0, ran * 1000.0 / Math.max(1, millis), out);
        failedJobs.stream().limit(20).forEach(job ->
                System.out.printf("  FAILED %s  %s: %s%n", job.id(), job.spec().input(), job.lastError()));
        if (failedJobs.size() > 20) {
            System.out.printf("  ... and %d more: pixq failures%n", failedJobs.size() - 20);
        }
        return failedJobs.isEmpty() ? 0 : 2;
    }

    private List<JobSpec> specs(Recipe chosen) throws IOException {
        Path outRoot = out.toAbsolutePath().normalize();
        List<JobSpec> specs = new ArrayList<>();
        for (Path input : inputs) {
            Path base = input.toAbsolutePath().normalize();
            if (!Files.exists(base)) {
                throw new IllegalArgumentException("no such file or folder: " + input);
            }
            if (Files.isDirectory(base)) {
                try (Stream<Path> walk = Files.walk(base)) {
                    for (Path file : walk.filter(RunCommand::isImageFile).sorted().toList()) {
                        Path folder = outRoot.resolve(base.relativize(file.getParent()));
                        specs.add(spec(file, folder, chosen));
                    }
                }
            } else {
                specs.add(spec(base, outRoot, chosen));
            }
        }
        return specs;
    }

    private JobSpec spec(Path file, Path folder, Recipe chosen) {
        return JobSpec.of("", file.toUri().toString(), folder.toUri().toString(), chosen, args);
    }

    private static boolean isImageFile(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return Files.isRegularFile(file) && !name.startsWith(".") && dot > 0
                && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
