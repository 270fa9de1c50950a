package pixq.cli;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import pixq.job.BatchProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import pixq.job.BatchCounts;
import pixq.job.CostModel;
import pixq.job.DaemonThreads;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.job.Manifest;
import pixq.aws.S3Manifests;
import pixq.local.LocalManifests;
import pixq.local.LocalState;
import pixq.aws.S3BlobStore;
import pixq.image.ImageEngine;
import pixq.image.OpenCvImageEngine;
import pixq.local.LocalFolderBlobStore;
import pixq.recipe.BlobUri;
import pixq.web.WebConsole;
import pixq.web.WebStatus;

@Command(
        name = "status",
        header = "Jobs per state and progress, per batch or for one job (like rq info).",
        description = "Jobs per state, per batch (like `rq info`), with a progress bar and ETA for each batch, here or on AWS.",
        footer = {"", "Examples:", "  pixq status", "  pixq status run-1a2b3c4d5e", "  pixq status s3-20261127 --stack pixq", "  pixq status --job 3f2a9c0d1e2b4a5c6d7e8f90     one job (like rq's job.get_status())",
            "  pixq status run-1a2b3c4d5e --jobs               its jobs, 50 a page: id, state, input, outputs",
            "  pixq status run-1a2b3c4d5e --jobs --only failed",
            "  pixq status run-1a2b3c4d5e --manifest           what the batch made, a JSON line per job",
            "  pixq status run-1a2b3c4d5e --manifest --format csv",
            "  pixq status --web                               the same as web pages, with a gallery and retry",
            "  pixq status --web --stack pixq --port 8080", "", "To follow a batch until it is done: pixq watch BATCH"})
final class StatusCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "BATCH", description = "Only this batch.")
    String batch;

    @Option(names = "--job", paramLabel = "ID", description = "One job's whole record: state, attempts, times, error, outputs.")
    String jobId;

    @Option(names = "--jobs", description = "List BATCH's jobs, a page at a time: id, state, input, outputs.")
    boolean jobs;

    @Option(names = "--only", paramLabel = "STATE", description = "With --jobs: only jobs in this state (queued, running, succeeded, failed, canceled).")
    JobState state;

    @Option(names = "--after", paramLabel = "ID", description = "With --jobs: the page after this job (the last line of a page names it).")
    String after;

    @Option(names = "--limit", defaultValue = "50", paramLabel = "N", description = "With --jobs: jobs per page (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--manifest", description = "BATCH's manifest, written when its last job finished: a line for the"
            + " batch, then one per job (JSON Lines).")
    boolean manifest;

    @Option(names = "--format", defaultValue = "jsonl", paramLabel = "FORMAT",
            description = "With --manifest: jsonl (as written) or csv (a row per job).")
    String format;

    @Option(names = "--web", description = "Serve web pages instead (batches, jobs, before/after gallery, failures with retry) until Ctrl-C.")
    boolean web;

    @Option(names = "--port", defaultValue = "3002", paramLabel = "N", description = "With --web: the port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "With --web: the address to listen on (default: ${DEFAULT-VALUE}, this machine only). "
                    + "Anyone who can reach another address can see the images and retry jobs.")
    String bind;

    @Mixin
    TargetOptions target;

    @Mixin
    WorkOptions work;

    @Override
    public Integer call() throws Exception {
        if (web) {
            try (WebStatus pages = pages()) {
                URI page = batch == null ? pages.url() : pages.url().resolve("batch?id=" + URLEncoder.encode(batch, StandardCharsets.UTF_8));
                System.out.println("pixq status: " + page + "  (Ctrl-C to stop)");
                new java.util.concurrent.CountDownLatch(1).await();
            }
        }
        try (Target open = target.open()) {
            if (jobId != null) {
                return open.store().find(jobId).map(StatusCommand::show).orElseGet(() -> {
                    System.out.println("no job " + jobId);
                    return 1;
                });
            }
            if (jobs) {
                return listJobs(open.store());
            }
            if (manifest) {
                return showManifest(open.store());
            }
            // The store's counts per batch: one read per batch, however many jobs it holds.
            List<BatchCounts> batches = batch == null ? open.store().batches() : List.of(open.store().counts(batch));
            if (batches.stream().allMatch(counts -> counts.total() == 0)) {
                System.out.println(batch == null ? "no jobs yet" : "no jobs in batch " + batch);
                return batch == null ? 0 : 1;
            }
            boolean unworked = open.unworked(); // a look at the state's run lock: once for all the batches
            for (BatchCounts counts : batches) {
                printLine(unworked, counts, target.flags());
                printReplaced(counts);
            }
            if (batch != null && !target.isLocal() && batches.get(0).finished() == batches.get(0).total()) {
                // A finished batch on AWS: what it cost, from its own records (a page of reads per 500 jobs).
                System.out.println(new CostModel(CostModel.X86_64, CostModel.Deployment.TEMPLATE).line(CostModel.Usage.ofBatch(open.store(), batch)));
            }
            return 0;
        }
    }

    /** One page of a batch's jobs, oldest first, and the command that shows the next page. */
    private int listJobs(JobStore store) {
        if (batch == null) {
            throw new IllegalArgumentException("--jobs lists one batch's jobs: give BATCH (pixq status lists the batches)");
        }
        List<Job> page = store.listAfter(batch, state, after, Math.max(1, limit) + 1);
        if (page.isEmpty()) {
            System.out.println(after == null ? "no " + (state == null ? "" : state.name().toLowerCase() + " ") + "jobs in batch " + batch
                    : "no more jobs after " + after);
            return after == null && state == null ? 1 : 0;
        }
        List<Job> shown = page.subList(0, Math.min(page.size(), Math.max(1, limit)));
        for (Job job : shown) {
            String input = job.spec().input() == null ? "(args " + job.spec().args() + ")" : job.spec().input();
            System.out.printf("%s  %-9s  %s%s%n", job.id(), job.state(), input,
                    job.outputs().isEmpty() ? "" : "  -> " + String.join(", ", job.outputs()));
        }
        if (page.size() > shown.size()) {
            System.out.printf("more: pixq status %s --jobs%s%s --after %s%s%n", batch, state == null ? "" : " --only " + state.name().toLowerCase(),
                    limit == 50 ? "" : " --limit " + limit, shown.get(shown.size() - 1).id(), target.flags());
        }
        return 0;
    }

    /** The batch's manifest as written (locally in the state folder, on AWS in the output bucket), or as CSV. */
    private int showManifest(JobStore store) throws IOException {
        if (batch == null) {
            throw new IllegalArgumentException("--manifest shows one batch's manifest: give BATCH");
        }
        if (!format.equals("jsonl") && !format.equals("csv")) {
            throw new IllegalArgumentException("--format is jsonl or csv, not " + format);
        }
        Optional<InputStream> opened = openManifest();
        if (opened.isEmpty()) {
            BatchCounts counts = store.counts(batch);
            System.out.println(counts.total() == 0 ? "no jobs in batch " + batch
                    : "batch " + batch + " has no manifest yet: " + counts.finished() + " of " + counts.total()
                            + " jobs finished (it is written when the last one does)");
            return 1;
        }
        try (InputStream in = opened.get()) {
            if (format.equals("csv")) {
                Manifest.toCsv(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), System.out);
            } else {
                in.transferTo(System.out);
            }
        }
        System.out.flush();
        return 0;
    }

    private Optional<InputStream> openManifest() throws IOException {
        if (target.isLocal()) {
            Path file = new LocalManifests(LocalState.manifestsFolder(target.stateDir())).path(batch);
            return Files.isRegularFile(file) ? Optional.of(Files.newInputStream(file)) : Optional.empty();
        }
        return S3Manifests.open(target.aws.connection().s3(), target.aws.outputBucket(), batch);
    }

    private static int show(Job job) {
        System.out.printf("job       %s%nbatch     %s%nstate     %s%nattempts  %d%ninput     %s%nrecipe    %s%nargs      %s%n"
                        + "created   %s%nstarted   %s%nfinished  %s%nerror     %s%n",
                job.id(), job.spec().batchId(), job.state(), job.attempts(),
                job.spec().input() == null ? "- (args only)" : job.spec().input(), job.spec().recipe().name(),
                job.spec().args(), job.createdAt(), job.startedAt(), job.finishedAt(), job.lastError());
        job.outputs().forEach(output -> System.out.println("output    " + output));
        if (job.replaced() > 0) {
            System.out.println("replaced  " + job.replaced() + " of these outputs replaced earlier ones of the same name");
        }
        if (job.state() == JobState.SUCCEEDED && job.outputs().isEmpty()) {
            System.out.println("output    none (its command wrote nothing, as its recipe allows)");
        }
        return 0;
    }

    /**
     * The pages over the local state folder or a stack. Locally, retried jobs are processed here in the
     * background, as {@code pixq retry} would; on AWS the worker function picks them up.
     */
    WebStatus pages() throws IOException {
        Target open = target.open();
        ExecutorService retries = Executors.newSingleThreadExecutor(DaemonThreads.named("pixq-web-retry"));
        AutoCloseable resources = () -> {
            retries.shutdownNow();
            open.close();
        };
        try {
            // OpenCV's natives load while the first page is served; only previews need them.
            CompletableFuture<ImageEngine> engine = CompletableFuture.supplyAsync(() -> new OpenCvImageEngine(work.engine()));
            WebConsole.Sources sources;
            if (target.isLocal()) {
                // read-only here: nothing is written
                sources = new WebConsole.Sources(open.store(), open.queue(), new LocalFolderBlobStore(target.stateDir()), engine::join,
                        work.engine().maxBytes(), BlobUri::isFile, uri -> Optional.of(LocalFolderBlobStore.pathOf(uri)), specs -> retries.submit(() -> processHere(specs)));
            } else {
                List<String> buckets = List.of(target.aws.inputBucket(), target.aws.outputBucket());
                sources = new WebConsole.Sources(open.store(), open.queue(), new S3BlobStore(target.aws.connection().s3()), engine::join,
                        work.engine().maxBytes(), uri -> BlobUri.inBuckets(uri, buckets), uri -> Optional.empty(), specs -> {});
            }
            return WebStatus.start(bind, port, sources, resources);
        } catch (IOException | RuntimeException e) {
            retries.shutdownNow();
            open.close();
            throw e;
        }
    }

    /** What `pixq retry` does after requeueing, locally: work the queue until these jobs are finished. */
    private void processHere(List<JobSpec> specs) {
        try (LocalWork local = LocalWork.open(target.stateDir(), work, Clock.systemUTC())) {
            local.until(specs);
        } catch (IllegalStateException e) {
            System.err.println("requeued " + specs.size() + " jobs; " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.err.println("pixq: processing the retried jobs failed: " + e.getMessage());
        }
    }

    /**
     * A batch's line; when no run works its queued jobs, without an ETA (it would finish at no time one could
     * promise) and with the command that resumes them. Whether it is so waiting.
     *
     * @param unworked whether no run works the target ({@link Target#unworked})
     */
    static boolean printLine(boolean unworked, BatchCounts counts, String flags) {
        boolean waiting = unworked && counts.of(JobState.QUEUED) > 0;
        System.out.println(ProgressBar.line(waiting ? new BatchProgress(counts, null) : BatchProgress.of(counts)));
        if (waiting) {
            System.out.printf("  %d queued and no run is working them; to resume them: pixq retry %s%s%n",
                    counts.of(JobState.QUEUED), counts.batchId(), flags);
        }
        return waiting;
    }

    /** Outputs the batch wrote over earlier ones, if any: never overwritten without a word, wherever the batch ran. */
    static void printReplaced(BatchCounts counts) {
        if (counts.replaced() > 0) {
            System.out.printf("  %d outputs replaced earlier ones of the same name (another recipe, a changed input or an earlier"
                    + " run writing to the same place)%n", counts.replaced());
        }
    }
}
