package pixq.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import pixq.image.ImageEngine;
import pixq.image.ImageException;
import pixq.job.BatchCounts;
import pixq.job.BlobException;
import pixq.job.BlobStore;
import pixq.job.Job;
import pixq.job.JobQueue;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.job.Reason;
import pixq.job.Requeue;
import pixq.job.BatchProgress;
import pixq.worker.DaemonThreads;
import pixq.recipe.BlobUri;
import pixq.recipe.Json;

/**
 * The web pages of {@code pixq status --web} (and of {@code pixq serve}): batches, one batch with its
 * chart and jobs, a before/after gallery, failures with retry. The pages are static HTML, CSS and JS
 * from the jar that render the JSON answers of {@code api/...} with text nodes only, so no name is ever
 * read as markup. Read-only but for {@code api/retry}, which takes a POST carrying this process's token;
 * images are only those a job record names, inside the configured scope, addressed by job id and index,
 * never by a path from the request.
 */
public final class WebConsole implements HttpHandler {
    private static final ObjectMapper JSON = Json.MAPPER;
    /** The largest side of a gallery thumbnail, in pixels. */
    public static final int THUMBNAIL_BOX = Thumbnails.BOX;
    private static final int PAGE_SIZE = 50;
    private static final int GALLERY_PAGE_SIZE = 24;
    private static final int MAX_FAILURES = BatchBoard.MAX_FAILURES;
    private static final Map<String, String> PAGES = Map.of(
            "", "batches", "batch", "batch", "gallery", "gallery", "failures", "failures");
    private static final Map<String, String> STATIC = Map.of(
            "static/app.js", "text/javascript; charset=utf-8", "static/app.css", "text/css; charset=utf-8");
    private static final Map<String, String> IMAGE_TYPES = Map.of(
            "jpg", "image/jpeg", "jpeg", "image/jpeg", "png", "image/png", "webp", "image/webp", "gif", "image/gif",
            "bmp", "image/bmp", "tif", "image/tiff", "tiff", "image/tiff", "avif", "image/avif");

    /**
     * What the pages read and act on.
     *
     * @param servable   which blob URIs the pages may read (the blob store's buckets or folders)
     * @param files      the file that holds a blob or a folder of blobs, when the blobs are files (empty for S3
     *                   objects, which no link can redirect)
     * @param afterRetry told of the jobs a retry requeued (locally: process them; on AWS the worker will)
     */
    public record Sources(JobStore jobs, JobQueue queue, BlobStore blobs, Supplier<ImageEngine> engine, long maxBytes,
                   Predicate<String> servable, Function<String, Optional<Path>> files, Consumer<List<JobSpec>> afterRetry) {}

    private final String base;
    private final Sources sources;
    private final boolean loopbackOnly;
    private final String token = newToken();
    private final Clock clock = Clock.systemUTC();
    private final BatchBoard board;
    private final Thumbnails thumbnails;
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();
    private final ExecutorService io = Executors.newFixedThreadPool(8, DaemonThreads.named("pixq-web-io"));

    private WebConsole(String base, Sources sources, boolean loopbackOnly) {
        this.base = base;
        this.sources = sources;
        this.loopbackOnly = loopbackOnly;
        this.board = new BatchBoard(sources.jobs(), clock);
        this.thumbnails = new Thumbnails(sources.blobs(), sources.engine(), sources.maxBytes());
    }

    /**
     * Mounts the pages on a server at {@code path} ("/" or "/ui/"). When the server listens on a loopback
     * address, requests naming another host are refused (a DNS-rebinding page cannot reach them).
     */
    public static HttpContext mount(HttpServer server, String path, Sources sources) {
        String base = path.endsWith("/") ? path : path + "/";
        InetAddress bound = server.getAddress().getAddress();
        return server.createContext(base, new WebConsole(base, sources, bound.isLoopbackAddress()));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            secure(exchange);
            String route = exchange.getRequestURI().getRawPath().substring(Math.min(base.length(), exchange.getRequestURI().getRawPath().length()));
            if (loopbackOnly && !loopbackHost(exchange.getRequestHeaders().getFirst("Host"))) {
                send(exchange, 403, "text/plain; charset=utf-8", "this page answers only on 127.0.0.1 or localhost".getBytes(StandardCharsets.UTF_8));
                return;
            }
            boolean post = route.equals("api/retry");
            String method = exchange.getRequestMethod();
            if (post ? !method.equals("POST") : !(method.equals("GET") || method.equals("HEAD"))) {
                exchange.getResponseHeaders().set("Allow", post ? "POST" : "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "method not allowed".getBytes(StandardCharsets.UTF_8));
                return;
            }
            route(exchange, route, query(exchange.getRequestURI()));
        } catch (Forbidden e) {
            send(exchange, 403, "text/plain; charset=utf-8", e.getMessage().getBytes(StandardCharsets.UTF_8));
        } catch (NotFound e) {
            send(exchange, 404, "text/plain; charset=utf-8", e.getMessage().getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            send(exchange, 400, "text/plain; charset=utf-8", e.getMessage().getBytes(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // One readable line, never a stack trace in a page.
            send(exchange, 500, "text/plain; charset=utf-8", Reason.of(e).getBytes(StandardCharsets.UTF_8));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange, String route, Map<String, String> q) throws IOException, InterruptedException {
        if (PAGES.containsKey(route)) {
            send(exchange, 200, "text/html; charset=utf-8", page(PAGES.get(route)));
        } else if (STATIC.containsKey(route)) {
            send(exchange, 200, STATIC.get(route), resource(route.substring("static/".length())));
        } else {
            switch (route) {
                case "api/batches" -> json(exchange, batches());
                case "api/batch" -> json(exchange, batch(required(q, "id"), state(q.get("state")), q.get("after")));
                case "api/gallery" -> json(exchange, gallery(required(q, "id"), q.get("after")));
                case "api/failures" -> json(exchange, failures(q.get("id")));
                case "api/job" -> json(exchange, jobRow(job(required(q, "id"))));
                case "api/retry" -> json(exchange, retry(exchange));
                case "thumb" -> thumb(exchange, required(q, "job"), index(q));
                case "image" -> image(exchange, required(q, "job"), index(q));
                default -> throw new NotFound("no page " + route);
            }
        }
    }

    // ---- pages and API

    private byte[] page(String name) throws IOException {
        String html = new String(resource("index.html"), StandardCharsets.UTF_8)
                .replace("{{base}}", base).replace("{{token}}", token).replace("{{page}}", name);
        return html.getBytes(StandardCharsets.UTF_8);
    }

    private List<Map<String, Object>> batches() {
        List<Map<String, Object>> out = new ArrayList<>();
        board.batches().forEach(progress -> out.add(summary(progress)));
        return out;
    }

    private Map<String, Object> batch(String id, JobState state, String after) {
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

    private Map<String, Object> gallery(String id, String after) throws InterruptedException {
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
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
        out.put("after", after);
        out.put("next", next(jobs, GALLERY_PAGE_SIZE));
        out.put("items", items);
        return out;
    }

    private Map<String, Object> card(Job job) {
        List<Map<String, Object>> blobs = new ArrayList<>();
        List<String> uris = blobsOf(job);
        for (int i = 0; i < uris.size(); i++) {
            String uri = uris.get(i);
            if (uri == null) {
                continue;
            }
            Map<String, Object> blob = new LinkedHashMap<>();
            blob.put("index", i);
            blob.put("name", name(uri));
            blob.put("bytes", size(uri, version(job)));
            blob.put("image", imageType(uri).isPresent());
            blobs.add(blob);
        }
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("id", job.id());
        card.put("input", job.spec().input() == null ? null : display(job.spec().input()));
        card.put("version", version(job));
        card.put("blobs", blobs);
        return card;
    }

    /**
     * Failed jobs grouped by their reason (the job's own input named as "the input"), largest group first:
     * of one batch, or of every batch with failures when batch is null. Records are read again only for a
     * batch whose count of failed jobs changed.
     */
    private Map<String, Object> failures(String batch) {
        BatchProgress progress = batch == null ? null : progress(batch);
        List<BatchCounts> withFailures = progress == null
                ? sources.jobs().batches().stream().filter(c -> c.of(JobState.FAILED) > 0).toList()
                : List.of(progress.counts());
        List<Job> failed = withFailures.stream().flatMap(c -> board.failed(c).stream()).limit(MAX_FAILURES + 1).toList();
        Map<String, List<Job>> groups = new LinkedHashMap<>();
        failed.stream().limit(MAX_FAILURES).forEach(job -> groups.computeIfAbsent(reason(job), r -> new ArrayList<>()).add(job));
        List<Map<String, Object>> out = new ArrayList<>();
        groups.entrySet().stream().sorted((a, b) -> b.getValue().size() - a.getValue().size()).forEach(group -> {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("reason", group.getKey());
            g.put("count", group.getValue().size());
            g.put("jobs", group.getValue().stream().limit(PAGE_SIZE).map(this::jobRow).toList());
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
    private Map<String, Object> retry(HttpExchange exchange) throws IOException {
        String given = exchange.getRequestHeaders().getFirst("X-Pixq-Token");
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            throw new Forbidden();
        }
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            body = JSON.readTree(in.readNBytes(64 * 1024));
        } catch (IOException e) {
            throw new IllegalArgumentException("the request is not JSON");
        }
        List<Job> candidates;
        if (body != null && body.hasNonNull("job")) {
            candidates = sources.jobs().find(body.get("job").asText()).stream().toList();
        } else if (body != null && body.hasNonNull("reason")) {
            String batch = body.hasNonNull("batch") ? body.get("batch").asText() : null;
            String reason = body.get("reason").asText();
            candidates = sources.jobs().list(batch, JobState.FAILED, Integer.MAX_VALUE).stream()
                    .filter(job -> reason(job).equals(reason)).toList();
        } else {
            throw new IllegalArgumentException("say which jobs: {\"job\": ID} or {\"batch\": B, \"reason\": R}");
        }
        List<JobSpec> requeued = Requeue.jobs(sources.jobs(), sources.queue(), candidates);
        board.retried(requeued.stream().map(JobSpec::batchId).distinct().toList());
        if (!requeued.isEmpty()) {
            sources.afterRetry().accept(requeued);
        }
        return Map.of("requeued", requeued.size());
    }

    private void thumb(HttpExchange exchange, String jobId, int index) throws IOException, InterruptedException {
        Job job = job(jobId);
        String uri = servableBlob(job, index);
        byte[] preview;
        try {
            preview = thumbnails.of(uri, version(job));
        } catch (ImageException | BlobException e) {
            throw new NotFound("no preview of " + name(uri) + ": " + e.getMessage());
        }
        exchange.getResponseHeaders().set("Cache-Control", "private, max-age=31536000, immutable");
        send(exchange, 200, "image/jpeg", preview);
    }

    private void image(HttpExchange exchange, String jobId, int index) throws IOException {
        Job job = job(jobId);
        String uri = servableBlob(job, index);
        byte[] bytes;
        try {
            bytes = sources.blobs().read(uri, sources.maxBytes());
        } catch (BlobException e) {
            throw new NotFound(e.getMessage());
        }
        // Anything but a known image is a download, never a document of this origin.
        Optional<String> type = imageType(uri);
        if (type.isEmpty()) {
            exchange.getResponseHeaders().set("Content-Disposition", "attachment");
        }
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; sandbox");
        send(exchange, 200, type.orElse("application/octet-stream"), bytes);
    }

    // ---- reading the records

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

    private Job job(String id) {
        return sources.jobs().find(id).orElseThrow(() -> new NotFound("no job " + id));
    }

    /** The input (index 0) and the outputs (1..n) of a job. */
    private static List<String> blobsOf(Job job) {
        List<String> uris = new ArrayList<>();
        uris.add(job.spec().input());
        uris.addAll(job.outputs());
        return uris;
    }

    /**
     * Only what the record names, inside the scope: the input inside its bucket (a file input inside its
     * folder), an output inside its job's output folder; a file only when it is a regular file whose real
     * path stays in that folder, so no link (the blob itself, or a folder on its way) leads out of it.
     */
    private String servableBlob(Job job, int index) {
        List<String> uris = blobsOf(job);
        String uri = index < uris.size() ? uris.get(index) : null;
        String folder = uri == null ? null : index == 0 ? inputFolder(uri) : job.spec().output();
        if (uri == null || !sources.servable().test(uri) || !inside(uri, folder) || !realFileInside(uri, folder)) {
            throw new NotFound("no image " + index + " for job " + job.id());
        }
        return uri;
    }

    /** An input's folder: its bucket for an object (s3://b/k), its own folder for a file. */
    private static String inputFolder(String uri) {
        int end = BlobUri.parse(uri) instanceof BlobUri.S3 s3 ? ("s3://" + s3.bucket()).length() : uri.lastIndexOf('/');
        return uri.substring(0, end + 1);
    }

    private boolean realFileInside(String uri, String folder) {
        Optional<Path> file = sources.files().apply(uri);
        if (file.isEmpty()) {
            return true;
        }
        try {
            Path real = file.get().toRealPath();
            Path root = sources.files().apply(folder).orElseThrow().toRealPath();
            return Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) && real.startsWith(root) && !real.equals(root);
        } catch (IOException | java.util.NoSuchElementException | BlobException e) {
            return false;
        }
    }

    private static boolean inside(String uri, String folder) {
        if (folder == null || folder.isEmpty()) {
            return false;
        }
        String prefix = folder.endsWith("/") ? folder : folder + "/";
        return uri.startsWith(prefix) && !uri.substring(prefix.length()).matches("(?s)(.*/)?\\.\\.?(/.*)?");
    }

    private long size(String uri, String version) {
        if (sizes.size() > 200_000) {
            sizes.clear();
        }
        return sizes.computeIfAbsent(uri + "\n" + version, k -> {
            try {
                return sources.blobs().stat(uri).orElseThrow(() -> new BlobException.NotFound(uri)).size();
            } catch (BlobException e) {
                return -1L;
            }
        });
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
        return out;
    }

    private Map<String, Object> jobRow(Job job) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", job.id());
        row.put("batch", job.spec().batchId());
        row.put("input", job.spec().input() == null ? "args " + job.spec().args() : display(job.spec().input()));
        row.put("state", job.state().name());
        row.put("attempts", job.attempts());
        Instant end = job.finishedAt() != null ? job.finishedAt() : job.state() == JobState.RUNNING ? clock.instant() : null;
        row.put("durationMillis", job.startedAt() == null || end == null ? null : Duration.between(job.startedAt(), end).toMillis());
        row.put("reason", job.lastError());
        row.put("outputs", job.outputs().size());
        return row;
    }

    /** A failure's reason with the job's own input named generically, so that one cause makes one group. */
    static String reason(Job job) {
        String reason = Objects.requireNonNullElse(job.lastError(), "(no reason recorded)");
        String input = job.spec().input();
        if (input == null) {
            return reason;
        }
        // The input as a URI, as a path, by name and, when encoded, by the raw stem outputs are named after
        // (a plain stem such as "image" could be any word of the reason).
        String raw = input.substring(input.lastIndexOf('/') + 1);
        String stem = raw.lastIndexOf('.') > 0 ? raw.substring(0, raw.lastIndexOf('.')) : raw;
        List<String> forms = stem.contains("%") ? List.of(input, display(input), name(input), raw, stem) : List.of(input, display(input), name(input));
        for (String form : forms) {
            reason = reason.replace(form, "<input>");
        }
        return reason;
    }

    private static String version(Job job) {
        Instant at = job.finishedAt() != null ? job.finishedAt() : job.createdAt();
        return at == null ? "0" : Long.toString(at.toEpochMilli());
    }

    private static Long millis(Instant at) {
        return at == null ? null : at.toEpochMilli();
    }

    /** A URI as a person reads it: a local file as its path, an S3 object as s3://bucket/key. */
    static String display(String uri) {
        try {
            return BlobUri.parse(uri).display();
        } catch (IllegalArgumentException e) {
            return uri;
        }
    }

    private static String name(String uri) {
        try {
            return BlobUri.parse(uri).fileName();
        } catch (IllegalArgumentException e) {
            return uri;
        }
    }

    private static Optional<String> imageType(String uri) {
        String name = name(uri);
        int dot = name.lastIndexOf('.');
        return dot < 0 ? Optional.empty() : Optional.ofNullable(IMAGE_TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT)));
    }

    // ---- HTTP

    private static void secure(HttpExchange exchange) {
        var h = exchange.getResponseHeaders();
        h.set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cache-Control", "no-store");
    }

    private static boolean loopbackHost(String host) {
        if (host == null) {
            return true; // HTTP/1.0 without a Host: not a browser
        }
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.replaceFirst(":\\d+$", "");
        return name.equals("localhost") || name.equals("[::1]") || name.matches("127(\\.\\d{1,3}){3}");
    }

    private static void json(HttpExchange exchange, Object body) throws IOException {
        send(exchange, 200, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = WebConsole.class.getResourceAsStream("/pixq/web/" + name)) {
            if (in == null) {
                throw new NotFound("no resource " + name);
            }
            return in.readAllBytes();
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> q = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                q.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    private static String required(Map<String, String> q, String name) {
        String value = q.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("missing ?" + name + "=");
        }
        return value;
    }

    private static JobState state(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        try {
            return JobState.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no state " + name);
        }
    }

    private static int index(Map<String, String> q) {
        return number(required(q, "i"), "i");
    }

    private static int number(String text, String name) {
        try {
            int n = Integer.parseInt(text);
            if (n < 0 || n > 1_000_000) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a small whole number");
        }
    }

    private static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    private static final class Forbidden extends RuntimeException {
        Forbidden() {
            super("retry needs this page's token: reload the page");
        }
    }
}
