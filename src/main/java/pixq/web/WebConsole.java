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
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import pixq.image.ImageEngine;
import pixq.job.BlobStore;
import pixq.job.JobQueue;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.job.Reason;
import pixq.recipe.Json;

/**
 * The web pages of {@code pixq status --web} (and of {@code pixq serve}): batches, one batch with its
 * chart and jobs, a before/after gallery, failures with retry. The pages are static HTML, CSS and JS
 * from the jar that render the JSON answers of {@code api/...} with text nodes only, so no name is ever
 * read as markup. Read-only but for {@code api/retry}, which takes a POST carrying this process's token;
 * images are only those a job record names, inside the configured scope, addressed by job id and index,
 * never by a path from the request.
 *
 * <p>This class is the HTTP side: routes, the Host check, methods, headers, the page and its static files,
 * errors as status codes. What the answers hold is {@link ApiViews}'; which blobs may be read, {@link JobBlobs}'.
 */
public final class WebConsole implements HttpHandler {
    private static final ObjectMapper JSON = Json.MAPPER;
    /** The largest side of a gallery thumbnail, in pixels. */
    public static final int THUMBNAIL_BOX = Thumbnails.BOX;
    private static final Map<String, String> PAGES = Map.of(
            "", "batches", "batch", "batch", "gallery", "gallery", "failures", "failures");
    private static final Map<String, String> STATIC = Map.of(
            "static/app.js", "text/javascript; charset=utf-8", "static/app.css", "text/css; charset=utf-8");

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
    private final boolean loopbackOnly;
    private final String token = newToken();
    private final JobBlobs blobs;
    private final ApiViews views;

    private WebConsole(String base, Sources sources, boolean loopbackOnly) {
        this.base = base;
        this.loopbackOnly = loopbackOnly;
        this.blobs = new JobBlobs(sources);
        this.views = new ApiViews(sources, blobs, Clock.systemUTC());
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
                case "api/batches" -> json(exchange, views.batches());
                case "api/batch" -> json(exchange, views.batch(required(q, "id"), state(q.get("state")), q.get("after")));
                case "api/gallery" -> json(exchange, views.gallery(required(q, "id"), q.get("after")));
                case "api/failures" -> json(exchange, views.failures(q.get("id")));
                case "api/job" -> json(exchange, views.jobRow(views.job(required(q, "id"))));
                case "api/retry" -> json(exchange, views.retry(retryBody(exchange)));
                case "thumb" -> thumb(exchange, required(q, "job"), index(q));
                case "image" -> image(exchange, required(q, "job"), index(q));
                default -> throw new NotFound("no page " + route);
            }
        }
    }

    private byte[] page(String name) throws IOException {
        String html = new String(resource("index.html"), StandardCharsets.UTF_8)
                .replace("{{base}}", base).replace("{{token}}", token).replace("{{page}}", name);
        return html.getBytes(StandardCharsets.UTF_8);
    }

    /** A retry's JSON body, once the request has shown this page's token. */
    private JsonNode retryBody(HttpExchange exchange) throws IOException {
        String given = exchange.getRequestHeaders().getFirst("X-Pixq-Token");
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            throw new Forbidden();
        }
        try (InputStream in = exchange.getRequestBody()) {
            return JSON.readTree(in.readNBytes(64 * 1024));
        } catch (IOException e) {
            throw new IllegalArgumentException("the request is not JSON");
        }
    }

    private void thumb(HttpExchange exchange, String jobId, int index) throws IOException, InterruptedException {
        byte[] preview = blobs.thumbnail(views.job(jobId), index);
        exchange.getResponseHeaders().set("Cache-Control", "private, max-age=31536000, immutable");
        send(exchange, 200, "image/jpeg", preview);
    }

    private void image(HttpExchange exchange, String jobId, int index) throws IOException {
        JobBlobs.Image image = blobs.image(views.job(jobId), index);
        // Anything but a known image is a download, never a document of this origin.
        if (image.type().isEmpty()) {
            exchange.getResponseHeaders().set("Content-Disposition", "attachment");
        }
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; sandbox");
        send(exchange, 200, image.type().orElse("application/octet-stream"), image.bytes());
    }

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

    private static final class Forbidden extends RuntimeException {
        Forbidden() {
            super("retry needs this page's token: reload the page");
        }
    }
}
