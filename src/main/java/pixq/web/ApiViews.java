package pixq.web;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import pixq.job.BatchCounts;
import pixq.job.BatchProgress;
import pixq.job.DaemonThreads;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.Requeue;

/**
 * What the pages' {@code api/...} answers hold, as maps the plumbing writes as JSON: the batches, one batch
 * with its chart and a page of its jobs, a page of its gallery, the failures grouped by reason, one job;
 * and the retry they ask for.
 */
final class ApiViews {
    private static final int PAGE_SIZE = 50;
    private static final int GALLERY_PAGE_SIZE = 24;
    private static final int MAX_FAILURES = BatchBoard.MAX_FAILURES;

    private final WebConsole.Sources sources;
    private final JobBlobs blobs;
    private final Clock clock;
    private final BatchBoard board;
    private final ExecutorService io = Executors.newFixedThreadPool(8, DaemonThreads.named("pixq-web-io"));

    ApiViews(WebConsole.Sources sources, JobBlobs blobs, Clock clock) {
        this.sources = sources;
        this.blobs = blobs;
        this.clock = clock;
        this.board = new BatchBoard(sources.jobs(), clock);
    }

    List<Map<String, Object>> batches() {
        List<Map<String, Object>> out = new ArrayList<>();
        board.batches().forEach(progress -> out.add(summary(progress)));
        return out;
    }

    Map<String, Object> batch(String id, JobState state, String after) {
        BatchProgress progress = progress(id);
        List<Job> jobs = pageOf(id, state, after, PAGE_SIZE);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("batch", summary(progress));
        BatchBoard.Chart chart = board.chart(id);
        out.put("chart", Map.of("sliceMillis", chart.sliceMillis(), "succeeded", chart.succeeded(), "failed", chart.failed()));
        out.put("after", after);
        out.put("next", next(jobs, PAGE_SIZE));
        out.put("jobs", jobs.stream().limit(PAGE_SIZE).map(this::jobRow).toList());
        return out;
    }

    Map<String, Object> gallery(String id, String after) throws InterruptedException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("batch", summary(progress(id)));
        List<Job> jobs = pageOf(id, JobState.SUCCEEDED, after, GALLERY_PAGE_SIZE);
        // Sizes come from the blob store (a HEAD per blob on S3): side by side, for the page only.
        List<Future<Map<String, Object>>> cards = new ArrayList<>();
        jobs.stream().limit(GALLERY_PAGE_SIZE).forEach(job -> cards.add(io.submit(() -> card(job))));
        List<Map<String, Object>> items = new ArrayList<>();
        for (Future<Map<String, Object>> card : cards) {
            try {
                items.add(card.get());
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
        out.put("after", after);
        out.put("next", next(jobs, GALLERY_PAGE_SIZE));
        out.put("items", items);
        return out;
    }

    private Map<String, Object> card(Job job) {
        List<Map<String, Object>> shown = new ArrayList<>();
        List<String> uris = JobBlobs.of(job);
        for (int i = 0; i < uris.size(); i++) {
            String uri = uris.get(i);
            if (uri == null) {
                continue;
            }
            Map<String, Object> blob = new LinkedHashMap<>();
            blob.put("index", i);
            blob.put("name", JobBlobs.name(uri));
            blob.put("bytes", blobs.size(uri, JobBlobs.version(job)));
            blob.put("image", JobBlobs.imageType(uri).isPresent());
            shown.add(blob);
        }
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("id", job.id());
        card.put("input", job.spec().input() == null ? null : JobBlobs.display(job.spec().input()));
        card.put("version", JobBlobs.version(job));
        card.put("blobs", shown);
        return card;
    }

    /**
     * Failed jobs grouped by their reason, largest group first: of one batch, or of every batch with failures
     * when batch is null. Records are read again only for a batch whose count of failed jobs changed.
     */
    Map<String, Object> failures(String batch) {
        BatchProgress progress = batch == null ? null : progress(batch);
        List<BatchCounts> withFailures = progress == null
                ? sources.jobs().batches().stream().filter(c -> c.of(JobState.FAILED) > 0).toList()
                : List.of(progress.counts());
        List<Job> failed = withFailures.stream().flatMap(c -> board.failed(c).stream()).limit(MAX_FAILURES + 1).toList();
        List<Map<String, Object>> out = new ArrayList<>();
        FailureGroups.of(failed.stream().limit(MAX_FAILURES).toList()).forEach(group -> {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("reason", group.reason());
            g.put("count", group.jobs().size());
            g.put("jobs", group.jobs().stream().limit(PAGE_SIZE).map(this::jobRow).toList());
            out.add(g);
        });
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("batch", progress == null ? null : summary(progress));
        answer.put("total", Math.min(failed.size(), MAX_FAILURES));
        answer.put("more", failed.size() > MAX_FAILURES);
        answer.put("groups", out);
        return answer;
    }

    /**
     * {@code {"job": ID}}, or {@code {"batch": B, "reason": R}} (every failed job of the batch, or of all
     * batches when B is null, whose grouped reason is R): what {@code pixq retry} does to them.
     */
    Map<String, Object> retry(JsonNode body) {
        List<Job> candidates;
        if (body != null && body.hasNonNull("job")) {
            candidates = sources.jobs().find(body.get("job").asText()).stream().toList();
        } else if (body != null && body.hasNonNull("reason")) {
            String batch = body.hasNonNull("batch") ? body.get("batch").asText() : null;
            String reason = body.get("reason").asText();
            candidates = sources.jobs().list(batch, JobState.FAILED, Integer.MAX_VALUE).stream()
                    .filter(job -> FailureGroups.reason(job).equals(reason)).toList();
        } else {
            throw new IllegalArgumentException("say which jobs: {\"job\": ID} or {\"batch\": B, \"reason\": R}");
        }
        List<JobSpec> requeued = Requeue.jobs(sources.jobs(), sources.queue(), candidates, clock);
        board.retried(requeued.stream().map(JobSpec::batchId).distinct().toList());
        if (!requeued.isEmpty()) {
            sources.afterRetry().accept(requeued);
        }
        return Map.of("requeued", requeued.size());
    }

    Job job(String id) {
        return sources.jobs().find(id).orElseThrow(() -> new NotFound("no job " + id));
    }

    Map<String, Object> jobRow(Job job) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", job.id());
        row.put("batch", job.spec().batchId());
        row.put("input", job.spec().input() == null ? "args " + job.spec().args() : JobBlobs.display(job.spec().input()));
        row.put("state", job.state().name());
        row.put("attempts", job.attempts());
        Instant end = job.finishedAt() != null ? job.finishedAt() : job.state() == JobState.RUNNING ? clock.instant() : null;
        row.put("durationMillis", job.startedAt() == null || end == null ? null : Duration.between(job.startedAt(), end).toMillis());
        row.put("reason", job.lastError());
        row.put("outputs", job.outputs().size());
        return row;
    }

    private BatchProgress progress(String id) {
        BatchProgress progress = board.progress(id);
        if (progress == null) {
            throw new NotFound("no batch " + id);
        }
        return progress;
    }

    /** One page of a batch's jobs and one more, to tell whether there is a next page; it starts after a job. */
    private List<Job> pageOf(String batch, JobState state, String after, int size) {
        return sources.jobs().listAfter(batch, state, after == null || after.isEmpty() ? null : after, size + 1);
    }

    /** Where the next page starts: after the last job of this one, when there is more. */
    private static String next(List<Job> jobs, int size) {
        return jobs.size() > size ? jobs.get(size - 1).id() : null;
    }

    private Map<String, Object> summary(BatchProgress p) {
        BatchCounts c = p.counts();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", c.batchId());
        out.put("total", c.total());
        out.put("finished", c.finished());
        Map<String, Long> counts = new LinkedHashMap<>();
        for (JobState s : JobState.values()) {
            counts.put(s.name(), c.of(s));
        }
        out.put("counts", counts);
        out.put("done", p.done());
        out.put("start", millis(c.firstStarted()));
        out.put("end", p.done() ? millis(c.lastFinished()) : null);
        out.put("rate", p.rate());
        out.put("etaSeconds", p.eta() == null ? null : p.eta().toSeconds());
        out.put("replaced", c.replaced());
        return out;
    }

    private static Long millis(Instant at) {
        return at == null ? null : at.toEpochMilli();
    }
}
