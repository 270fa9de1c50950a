package pixq.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.T0;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.BatchCounts;
import pixq.job.Job;
import pixq.job.JobBuilders;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.local.LocalFolderBlobStore;
import pixq.local.LocalState;
import pixq.recipe.Json;

/** The pages' HTTP rules, without a browser: paging, the retry token, loopback names, and what may be served. */
class WebConsoleTest {
    private static final ObjectMapper JSON = Json.MAPPER;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<List<JobSpec>> retried = new ArrayList<>();

    @TempDir
    Path dir;

    private LocalState state;
    private CountingReads reads;
    private HttpServer server;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        state = LocalState.open(dir.resolve("state"));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        reads = new CountingReads(state.jobs());
        WebConsole.mount(server, "/ui", new WebConsole.Sources(reads, state.queue(), new LocalFolderBlobStore(dir),
                () -> {
                    throw new AssertionError("no preview is asked for here");
                }, 1024 * 1024, uri -> uri.startsWith("file:"), uri -> Optional.of(LocalFolderBlobStore.pathOf(uri)), retried::add));
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ui/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
        state.close();
    }

    @Test
    void a_batch_of_120_jobs_comes_in_pages_of_50_each_after_the_last_and_filters_by_state() throws Exception {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            jobs.add(aJob().spec(aSpec().batch("big").input("file:/in/p" + i + ".jpg"))
                    .state(i % 4 == 0 ? JobState.FAILED : JobState.SUCCEEDED).lastError(i % 4 == 0 ? "broken" : null)
                    .createdAt(T0.plusSeconds(i)).startedAt(T0.plusSeconds(i)).finishedAt(T0.plusSeconds(i + 1)).build());
        }
        state.jobs().insertNew(jobs);

        JsonNode first = json("api/batch?id=big");
        JsonNode second = json("api/batch?id=big&after=" + first.get("next").asText());
        JsonNode last = json("api/batch?id=big&after=" + second.get("next").asText());
        JsonNode failed = json("api/batch?id=big&state=failed");

        assertEquals(50, first.get("jobs").size());
        assertEquals("/in/p0.jpg", first.get("jobs").get(0).get("input").asText());
        assertEquals("/in/p50.jpg", second.get("jobs").get(0).get("input").asText());
        assertEquals(20, last.get("jobs").size());
        assertTrue(last.get("next").isNull());
        assertEquals("/in/p100.jpg", last.get("jobs").get(0).get("input").asText());
        assertEquals(400, get("api/batch?id=big&after=nosuchjob").statusCode());
        assertEquals(30, failed.get("jobs").size());
        assertEquals(30, first.get("batch").get("counts").get("FAILED").asInt());
        assertEquals(120, json("api/batches").get(0).get("total").asInt());
        assertEquals(1000, json("api/batch?id=big&state=succeeded").get("jobs").get(0).get("durationMillis").asInt());
    }

    @Test
    void retry_needs_a_post_with_the_pages_token_then_requeues_and_hands_the_job_on() throws Exception {
        Job job = aJob().spec(aSpec().batch("b").input("file:/in/a.jpg")).state(JobState.FAILED).attempts(3)
                .lastError("cannot read file:/in/a.jpg: disk unplugged").build();
        state.jobs().insertNew(List.of(job));
        String body = "{\"job\":\"" + job.id() + "\"}";

        assertEquals(403, post("api/retry", body, null).statusCode());
        assertEquals(403, post("api/retry", body, "0".repeat(48)).statusCode());
        assertEquals(405, get("api/retry").statusCode());
        assertEquals(JobState.FAILED, state.jobs().find(job.id()).orElseThrow().state());
        assertTrue(retried.isEmpty());

        HttpResponse<String> answer = post("api/retry", body, token());

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals(1, JSON.readTree(answer.body()).get("requeued").asInt());
        Job requeued = state.jobs().find(job.id()).orElseThrow();
        assertEquals(JobState.QUEUED, requeued.state());
        assertEquals(0, requeued.attempts());
        assertEquals(List.of(List.of(job.spec())), retried);
        assertTrue(state.queue().receive(10).stream().anyMatch(d -> d.body().contains(job.id())), "a message for the job");
    }

    @Test
    void failures_are_grouped_by_reason_with_each_jobs_own_input_left_out() throws Exception {
        state.jobs().insertNew(List.of(
                failedJob("file:/in/a.jpg", "cannot read /in/a.jpg: permission denied"),
                failedJob("file:/in/b.jpg", "cannot read /in/b.jpg: permission denied"),
                failedJob("file:/in/c.jpg", "not an image")));

        JsonNode groups = json("api/failures?id=b").get("groups");

        assertEquals(2, groups.size());
        assertEquals("cannot read <input>: permission denied", groups.get(0).get("reason").asText());
        assertEquals(2, groups.get(0).get("count").asInt());
        HttpResponse<String> answer = post("api/retry", "{\"batch\":\"b\",\"reason\":\"cannot read <input>: permission denied\"}", token());
        assertEquals(2, JSON.readTree(answer.body()).get("requeued").asInt());
    }

    @Test
    void refreshing_a_running_batch_reads_no_records_for_its_chart_and_failures_until_a_job_fails_anew() throws Exception {
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            JobState s = i < 10 ? JobState.SUCCEEDED : i < 12 ? JobState.FAILED : JobState.QUEUED;
            jobs.add(aJob().spec(aSpec().batch("run").input("file:/in/p" + i + ".jpg")).state(s)
                    .lastError(s == JobState.FAILED ? "not an image" : null).createdAt(T0.plusSeconds(i))
                    .startedAt(s == JobState.QUEUED ? null : T0.plusSeconds(i))
                    .finishedAt(s == JobState.QUEUED ? null : T0.plusSeconds(i + 1)).build());
        }
        state.jobs().insertNew(jobs);
        json("api/batch?id=run");
        json("api/failures?id=run");
        reads.calls.clear();

        for (int i = 0; i < 3; i++) {
            json("api/batch?id=run");
            json("api/failures?id=run");
        }
        Job next = jobs.get(12).start(JobBuilders.CLOCK, java.time.Duration.ofMinutes(1));
        assertTrue(state.jobs().update(jobs.get(12), next));
        assertTrue(state.jobs().update(next, next.succeed(List.of(), 0, JobBuilders.CLOCK)));
        JsonNode moved = json("api/batch?id=run");
        JsonNode stillTwo = json("api/failures?id=run");

        // Only the page of 50 jobs the batch page lists (and one more, to tell whether a next page exists).
        assertEquals(List.of("listAfter run null 51"), reads.calls.stream().distinct().toList());
        assertEquals(11, sum(moved.get("chart").get("succeeded")));
        assertEquals(2, sum(moved.get("chart").get("failed")));
        assertEquals(2, stillTwo.get("total").asInt());

        reads.calls.clear();
        next = jobs.get(13).start(JobBuilders.CLOCK, java.time.Duration.ofMinutes(1));
        assertTrue(state.jobs().update(jobs.get(13), next));
        assertTrue(state.jobs().update(next, next.fail("cannot read /in/p13.jpg: disk unplugged", JobBuilders.CLOCK)));
        JsonNode three = json("api/failures?id=run");
        json("api/failures?id=run");

        assertEquals(List.of("listAfter run FAILED 1000"), reads.calls, "one read of the failed records, then none");
        assertEquals(3, three.get("total").asInt());
        assertEquals("cannot read <input>: disk unplugged", three.get("groups").get(1).get("reason").asText());
        assertEquals(3, sum(json("api/batch?id=run").get("chart").get("failed")));
    }

    @Test
    void only_blobs_a_job_names_inside_the_scope_and_its_output_folder_are_served() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.write(out.resolve("a-thumb.jpg"), new byte[] {1, 2, 3});
        Files.writeString(dir.resolve("secret.txt"), "not for the page");
        String folder = out.toUri().toString();
        Job honest = aJob().spec(aSpec().batch("b").input(dir.resolve("a.jpg").toUri().toString()).output(folder))
                .state(JobState.SUCCEEDED).outputs(folder + "a-thumb.jpg").build();
        Job tampered = aJob().spec(aSpec().batch("b").input("s3://elsewhere/a.jpg").output(folder))
                .state(JobState.SUCCEEDED).outputs(folder + "../secret.txt", dir.resolve("secret.txt").toUri().toString()).build();
        state.jobs().insertNew(List.of(honest, tampered));

        HttpResponse<byte[]> image = http.send(HttpRequest.newBuilder(base.resolve("image?job=" + honest.id() + "&i=1")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, image.statusCode());
        assertArrayEquals(new byte[] {1, 2, 3}, image.body());
        assertEquals("image/jpeg", image.headers().firstValue("Content-Type").orElse(""));
        for (String refused : List.of("image?job=" + tampered.id() + "&i=0", "image?job=" + tampered.id() + "&i=1",
                "image?job=" + tampered.id() + "&i=2", "image?job=" + honest.id() + "&i=2", "image?job=nosuch&i=0",
                "thumb?job=" + tampered.id() + "&i=1", "image?file=/etc/passwd", "../secret.txt", "static/../../secret.txt")) {
            HttpResponse<String> answer = get(refused);
            assertTrue(answer.statusCode() == 404 || answer.statusCode() == 400, refused + " gave " + answer.statusCode());
            assertFalse(answer.body().contains("not for the page"), refused);
        }
    }

    @Test
    void a_link_in_place_of_an_input_or_output_that_leads_out_of_its_folder_is_never_served() throws Exception {
        // given a finished job whose input and output were each replaced by a link to a file outside their folders
        Path secret = Files.writeString(dir.resolve("secret.txt"), "not for the page");
        Path in = Files.createDirectories(dir.resolve("in"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.createDirectories(dir.resolve("elsewhere"));
        Files.write(dir.resolve("elsewhere/b.jpg"), new byte[] {9});
        Files.write(in.resolve("real.jpg"), new byte[] {4, 5});
        Files.createSymbolicLink(in.resolve("a.jpg"), secret);
        Files.createSymbolicLink(out.resolve("a-thumb.jpg"), secret);
        Files.createSymbolicLink(out.resolve("sub"), dir.resolve("elsewhere"));
        Files.createSymbolicLink(out.resolve("inside.jpg"), in.resolve("real.jpg"));
        String folder = out.toUri().toString();
        Job linked = aJob().spec(aSpec().batch("b").input(in.resolve("a.jpg").toUri().toString()).output(folder))
                .state(JobState.SUCCEEDED).outputs(folder + "a-thumb.jpg", folder + "sub/b.jpg", folder + "inside.jpg").build();
        Job honest = aJob().spec(aSpec().batch("b").input(in.resolve("real.jpg").toUri().toString()).output(folder))
                .state(JobState.SUCCEEDED).build();
        state.jobs().insertNew(List.of(linked, honest));

        // then no link out of a folder is followed, and a plain file is still served
        for (String refused : List.of("image?job=" + linked.id() + "&i=0", "image?job=" + linked.id() + "&i=1",
                "image?job=" + linked.id() + "&i=2", "image?job=" + linked.id() + "&i=3", "thumb?job=" + linked.id() + "&i=1")) {
            HttpResponse<String> answer = get(refused);
            assertEquals(404, answer.statusCode(), refused);
            assertFalse(answer.body().contains("not for the page"), refused);
        }
        assertEquals(200, get("image?job=" + honest.id() + "&i=0").statusCode());
    }

    @Test
    void serves_embedded_buckets_only_as_regular_files_inside_their_bucket_folder() throws Exception {
        // given serve's buckets as folders, where an input and an output are links to /etc/passwd
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(data.resolve("in/photos"));
        Files.createDirectories(data.resolve("out/photos"));
        Files.createSymbolicLink(data.resolve("in/photos/a.jpg"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(data.resolve("out/photos/a-thumb.jpg"), Path.of("/etc/passwd"));
        Files.write(data.resolve("in/photos/b.jpg"), new byte[] {7});
        pixq.local.BucketFolders buckets = new pixq.local.BucketFolders(data);
        HttpServer embedded = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        WebConsole.mount(embedded, "/", new WebConsole.Sources(state.jobs(), state.queue(), buckets, () -> {
            throw new AssertionError("no preview is asked for here");
        }, 1024 * 1024, uri -> uri.startsWith("s3://in/") || uri.startsWith("s3://out/"), uri -> Optional.of(buckets.path(uri)), retried::add));
        embedded.start();
        try {
            Job linked = aJob().spec(aSpec().batch("e").input("s3://in/photos/a.jpg").output("s3://out/photos/"))
                    .state(JobState.SUCCEEDED).outputs("s3://out/photos/a-thumb.jpg").build();
            Job honest = aJob().spec(aSpec().batch("e").input("s3://in/photos/b.jpg").output("s3://out/photos/"))
                    .state(JobState.SUCCEEDED).build();
            state.jobs().insertNew(List.of(linked, honest));
            String at = "http://127.0.0.1:" + embedded.getAddress().getPort() + "/";

            for (String refused : List.of("image?job=" + linked.id() + "&i=0", "image?job=" + linked.id() + "&i=1")) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(at + refused)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(404, answer.statusCode(), refused);
                assertFalse(answer.body().contains("root:"), refused);
            }
            HttpResponse<byte[]> plain = http.send(HttpRequest.newBuilder(URI.create(at + "image?job=" + honest.id() + "&i=0")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertArrayEquals(new byte[] {7}, plain.body());
        } finally {
            embedded.stop(0);
        }
    }

    @Test
    void a_request_naming_another_host_is_refused_and_pages_carry_a_strict_policy() throws Exception {
        // A page on attacker.example whose name was rebound to 127.0.0.1 sends its own Host (which Java's client won't forge).
        String rebound;
        try (Socket socket = new Socket("127.0.0.1", base.getPort())) {
            socket.getOutputStream().write("GET /ui/api/batches HTTP/1.1\r\nHost: attacker.example:80\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            rebound = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
        HttpResponse<String> page = get("");

        assertTrue(rebound.startsWith("HTTP/1.1 403"), rebound);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals(200, get("static/app.js").statusCode());
    }

    private static int sum(JsonNode counts) {
        int sum = 0;
        for (JsonNode n : counts) {
            sum += n.asInt();
        }
        return sum;
    }

    /** The SQLite store, noting each read of records (the counts are not records). */
    private static final class CountingReads implements JobStore {
        private final JobStore store;
        final List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

        CountingReads(JobStore store) {
            this.store = store;
        }

        @Override
        public List<Job> list(String batchId, JobState state, int limit) {
            calls.add("list " + batchId + " " + state + " " + limit);
            return store.list(batchId, state, limit);
        }

        @Override
        public List<Job> listAfter(String batchId, JobState state, String afterId, int limit) {
            calls.add("listAfter " + batchId + " " + state + " " + limit);
            return store.listAfter(batchId, state, afterId, limit);
        }

        @Override
        public List<Job> insertNew(List<Job> jobs) {
            return store.insertNew(jobs);
        }

        @Override
        public Optional<Job> find(String id) {
            return store.find(id);
        }

        @Override
        public boolean update(Job previous, Job next) {
            return store.update(previous, next);
        }

        @Override
        public BatchCounts counts(String batchId) {
            return store.counts(batchId);
        }

        @Override
        public List<BatchCounts> batches() {
            return store.batches();
        }
    }

    private static Job failedJob(String input, String reason) {
        return aJob().spec(aSpec().batch("b").input(input)).state(JobState.FAILED).attempts(1).lastError(reason).build();
    }

    private String token() throws Exception {
        Matcher m = Pattern.compile("name=\"pixq-token\" content=\"([0-9a-f]+)\"").matcher(get("").body());
        assertTrue(m.find());
        return m.group(1);
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> answer = get(path);
        assertEquals(200, answer.statusCode(), answer.body());
        return JSON.readTree(answer.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("X-Pixq-Token", token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
