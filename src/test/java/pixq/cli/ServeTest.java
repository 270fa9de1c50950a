package pixq.cli;

import pixq.serve.InvokeApi;
import pixq.serve.Emulator;
import pixq.image.ExampleJob;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.local.LocalState;
import pixq.recipe.Json;

/**
 * pixq serve on the embedded backend, driven by real clients: AWS CLI v1 and v2, raw sockets for bad HTTP,
 * files dropped into the input bucket's folder. The functions run in runtime-interface-client JVMs.
 */
class ServeTest {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private static ServeCommand serve;

    @BeforeAll
    static void start() throws Exception {
        Path incoming = Files.createDirectories(dir.resolve("data/pixq-input/photos"));
        image(incoming.resolve("IMG 0001 (1).jpg"), "jpg", 640, 480);
        image(incoming.resolve("photo.png"), "png", 300, 500);
        Files.writeString(dir.resolve("request.json"), "{\"inputs\": [\"s3://pixq-input/photos/IMG 0001 (1).jpg\","
                + " \"s3://pixq-input/photos/photo.png\"], \"recipe\": \"thumbnail\"}");
        Files.writeString(dir.resolve("malformed.json"), "{\"inputs\": \"not a list\", \"recipe\": \"thumbnail\"}");
        serve = start(dir.resolve("state"));
        assertTrue(Emulator.whyInProcess() == null, "the runtime interface client runs here: " + Emulator.whyInProcess());
    }

    static ServeCommand start(Path state) throws Exception {
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs("--port", "0", "--state", state.toString(), "--data", dir.resolve("data").toString(),
                "--concurrency", "1");
        command.start();
        return command;
    }

    @AfterAll
    static void stop() {
        if (serve != null) {
            serve.stop();
        }
    }

    @Test
    void awsCliV1InvokesTheSubmitFunctionAndTheJobsSucceed() throws Exception {
        submitsAndSucceeds(AwsCli.v1());
    }

    @Test
    void awsCliV2InvokesTheSubmitFunctionAndTheJobsSucceed() throws Exception {
        submitsAndSucceeds(AwsCli.v2());
    }

    private void submitsAndSucceeds(AwsCli aws) throws Exception {
        String out = "out-" + aws.label() + ".json";
        AwsCli.Result r = aws.invoke(dir, serve.port(), "SubmitFunction", "request.json", out);
        assertEquals(0, r.exit(), r.err());
        assertEquals(200, JSON.readTree(r.out()).path("StatusCode").asInt(), r.out());
        JsonNode answer = JSON.readTree(dir.resolve(out).toFile());
        assertTrue(answer.path("batchId").asText().startsWith("b-"), answer.toString());
        assertEquals(2, answer.path("jobs").asInt() + answer.path("duplicates").asInt(), answer.toString());
        await(() -> Files.exists(dir.resolve("data/pixq-output/photos/IMG 0001 (1)-thumb.jpg"))
                && Files.exists(dir.resolve("data/pixq-output/photos/photo-thumb.jpg")));
        await(() -> jobs(answer.path("batchId").asText()).stream().allMatch(j -> j.state() == JobState.SUCCEEDED)
                || answer.path("duplicates").asInt() > 0);
        // pixq status, as a user runs it in another terminal
        var status = new java.io.ByteArrayOutputStream();
        var old = System.out;
        System.setOut(new java.io.PrintStream(status, true, StandardCharsets.UTF_8));
        try {
            new CommandLine(new StatusCommand()).execute("--state", dir.resolve("state").toString());
        } finally {
            System.setOut(old);
        }
        assertTrue(status.toString(StandardCharsets.UTF_8).contains("succeeded 2"), status.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMalformedRequestIsTheFunctionErrorTheCliReports() throws Exception {
        for (AwsCli aws : List.of(AwsCli.v1(), AwsCli.v2())) {
            AwsCli.Result r = aws.invoke(dir, serve.port(), "SubmitFunction", "malformed.json", "error.json");
            assertEquals(0, r.exit(), r.err());
            assertEquals("Unhandled", JSON.readTree(r.out()).path("FunctionError").asText(), r.out());
            JsonNode error = JSON.readTree(dir.resolve("error.json").toFile());
            assertEquals("pixq.aws.BadRequestException", error.path("errorType").asText(), error.toString());
            assertTrue(error.path("errorMessage").asText().contains("inputs"), error.toString());
            assertTrue(error.path("stackTrace").isArray(), error.toString());
        }
    }

    @Test
    void eventInvocationsAreAcceptedAndRunInTheBackground() throws Exception {
        AwsCli.Result r = AwsCli.v1().invoke(dir, serve.port(), "SubmitFunction", "request.json", "event.json",
                "--invocation-type", "Event");
        assertEquals(0, r.exit(), r.err());
        assertEquals(202, JSON.readTree(r.out()).path("StatusCode").asInt(), r.out());
        assertEquals(0, Files.size(dir.resolve("event.json")));
    }

    @Test
    void anUnknownFunctionIsResourceNotFound() throws Exception {
        for (AwsCli aws : List.of(AwsCli.v1(), AwsCli.v2())) {
            AwsCli.Result r = aws.invoke(dir, serve.port(), "NoSuchFunction", "request.json", "none.json");
            assertNotEquals(0, r.exit());
            assertTrue(r.err().contains("ResourceNotFoundException") && r.err().contains("Function not found"), r.err());
        }
    }

    @Test
    void tailGivesTheEndOfTheInvocationsLog() throws Exception {
        for (AwsCli aws : List.of(AwsCli.v1(), AwsCli.v2())) {
            AwsCli.Result r = aws.invoke(dir, serve.port(), "arn:aws:lambda:us-east-1:123456789012:function:SubmitFunction:live",
                    "request.json", "tail.json", "--log-type", "Tail");
            assertEquals(0, r.exit(), r.err());
            String log = new String(Base64.getDecoder().decode(JSON.readTree(r.out()).path("LogResult").asText()), StandardCharsets.UTF_8);
            assertTrue(log.startsWith("START RequestId: "), log);
            assertTrue(log.contains("\"message\":\"submitted\""), log); // the handler's own JSON log line
            assertTrue(log.contains("REPORT RequestId: "), log);
        }
    }

    @Test
    void theBatchPagesAreServedBesideTheInvokeApi() throws Exception {
        // given a batch of its own submitted through the Invoke API
        image(Files.createDirectories(dir.resolve("data/pixq-input/pages")).resolve("page.jpg"), "jpg", 320, 240);
        Files.writeString(dir.resolve("pages.json"), "{\"inputs\": [\"s3://pixq-input/pages/page.jpg\"], \"recipe\": \"thumbnail\"}");
        AwsCli.Result r = AwsCli.v1().invoke(dir, serve.port(), "SubmitFunction", "pages.json", "out-pages.json");
        assertEquals(0, r.exit(), r.err());
        String batchId = JSON.readTree(dir.resolve("out-pages.json").toFile()).path("batchId").asText();
        String base = "http://127.0.0.1:" + serve.port() + "/";

        // when a browser asks for the pages and their data
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> batches = HTTP.send(HttpRequest.newBuilder(URI.create(base + "api/batches")).build(),
                HttpResponse.BodyHandlers.ofString());

        // then the pages answer on serve's port, over serve's own job records
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers().toString());
        assertEquals(200, batches.statusCode(), batches.body());
        assertTrue(batches.body().contains(batchId), batches.body());
    }

    @Test
    void badRequestsGetAwsAnswersAndTheServerSurvivesThem() throws Exception {
        String url = "http://127.0.0.1:" + serve.port() + InvokeApi.PATH + "SubmitFunction/invocations";
        HttpResponse<String> notJson = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "binary/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofString("this is not json")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, notJson.statusCode());
        assertEquals("InvalidRequestContentException", notJson.headers().firstValue("x-amzn-ErrorType").orElse(""));

        HttpResponse<String> tooBig = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[InvokeApi.MAX_PAYLOAD + 1])).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, tooBig.statusCode());

        HttpResponse<String> dryRun = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("X-Amz-Invocation-Type", "DryRun")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, dryRun.statusCode());

        try (Socket slow = new Socket("127.0.0.1", serve.port()); Socket garbage = new Socket("127.0.0.1", serve.port())) {
            slow.getOutputStream().write("POST /2015-03-31/functions/SubmitFunction/invocations HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            garbage.getOutputStream().write("\u0000\u0001 NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            garbage.setSoTimeout(5000);
            InputStream in = garbage.getInputStream();
            String answer = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            assertFalse(answer.startsWith("HTTP/1.1 2"), answer);
            // with a slow client hanging and a garbage one answered, a real request still gets through
            HttpResponse<String> ok = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .header("X-Amz-Invocation-Type", "DryRun").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, ok.statusCode());
        }
    }

    @Test
    void aWebPageOfAnotherOriginOrHostIsRefusedOnEveryRoute() throws Exception {
        String submit = "{\"inputs\": [\"s3://pixq-input/photos/photo.png\"], \"recipe\": \"thumbnail\", \"batchId\": \"from-evil\"}";
        String port = Integer.toString(serve.port());
        // what a browser sends cross-origin without a preflight, from a rebound name and from a page of another origin
        for (String[] hostOrigin : List.of(new String[] {"evil.example", "http://evil.example"},
                new String[] {"127.0.0.1:" + port, "http://evil.example"}, new String[] {"evil.example:" + port, null})) {
            for (String path : List.of(InvokeApi.PATH + "SubmitFunction/invocations", "/api/batches")) {
                String answer = raw("POST " + path + " HTTP/1.1\r\nHost: " + hostOrigin[0] + "\r\n"
                        + (hostOrigin[1] == null ? "" : "Origin: " + hostOrigin[1] + "\r\n")
                        + "Content-Type: text/plain\r\nContent-Length: " + submit.length() + "\r\nConnection: close\r\n\r\n" + submit);
                assertTrue(answer.startsWith("HTTP/1.1 403"), path + " " + String.join(" ", hostOrigin[0]) + ": " + answer);
            }
        }
        assertTrue(jobs("from-evil").isEmpty(), "a batch was submitted from another origin");
        // the CLI's and SDKs' requests (no Origin, Host localhost:PORT) and the pages' own (their origin) still pass
        for (String headers : List.of("Host: localhost:" + port, "Host: 127.0.0.1:" + port + "\r\nOrigin: http://127.0.0.1:" + port)) {
            String answer = raw("POST " + InvokeApi.PATH + "SubmitFunction/invocations HTTP/1.1\r\n" + headers
                    + "\r\nX-Amz-Invocation-Type: DryRun\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            assertTrue(answer.startsWith("HTTP/1.1 204"), headers + ": " + answer);
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedAtOnceWithoutBeingRead() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", serve.port())) {
            socket.setSoTimeout(10_000);
            // the headers only: an answer that waited for the body would never come
            socket.getOutputStream().write(("POST " + InvokeApi.PATH + "SubmitFunction/invocations HTTP/1.1\r\nHost: 127.0.0.1:" + serve.port()
                    + "\r\nContent-Length: 6300000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 413", status);
        }
    }

    @Test
    void aBurstOf200InvocationsGetsAnAnswerEach() throws Exception {
        String body = "{\"inputs\": \"not a list\", \"recipe\": \"thumbnail\"}"; // a function error: cheap, and no batch
        String request = "POST " + InvokeApi.PATH + "SubmitFunction/invocations HTTP/1.1\r\nHost: 127.0.0.1:" + serve.port()
                + "\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(200);
        try {
            List<java.util.concurrent.Future<String>> answers = new java.util.ArrayList<>();
            var start = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 200; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    try {
                        String answer = raw(request);
                        return answer.length() < 12 ? "no answer: " + answer : answer.substring(0, 12);
                    } catch (IOException e) {
                        return "no answer: " + e;
                    }
                }));
            }
            start.countDown();
            java.util.Map<String, Integer> statuses = new java.util.TreeMap<>();
            for (var answer : answers) {
                statuses.merge(answer.get(120, java.util.concurrent.TimeUnit.SECONDS), 1, Integer::sum);
            }
            statuses.keySet().forEach(status -> assertTrue(status.equals("HTTP/1.1 200") || status.equals("HTTP/1.1 429"), statuses.toString()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void pixqRetryOnServesStateRequeuesForServeWhichThenRunsTheJobs() throws Exception {
        // given a job of serve's that failed on a broken input, serve stopped, and the input mended
        Path state = dir.resolve("retry-state");
        Path data = dir.resolve("retry-data");
        Path input = Files.createDirectories(data.resolve("pixq-input/r")).resolve("mended.jpg");
        Files.writeString(input, "not an image yet");
        String[] options = {"--port", "0", "--state", state.toString(), "--data", data.toString(), "--in-process"};
        ServeCommand first = new ServeCommand();
        new CommandLine(first).parseArgs(options);
        first.start();
        try {
            Path event = Files.writeString(dir.resolve("retry.json"),
                    "{\"inputs\": [\"s3://pixq-input/r/mended.jpg\"], \"recipe\": \"thumbnail\", \"batchId\": \"retry-me\"}");
            HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + first.port() + InvokeApi.PATH + "SubmitFunction/invocations"))
                    .POST(HttpRequest.BodyPublishers.ofFile(event)).build(), HttpResponse.BodyHandlers.ofString());
            await(() -> states(state).equals(List.of(JobState.FAILED)));
        } finally {
            first.stop();
        }
        image(input, "jpg", 200, 100);

        // when pixq retry runs on serve's state
        int code = new CommandLine(new RetryCommand()).execute("--state", state.toString());

        // then it requeues without failing, and serve, started again, runs the job
        assertEquals(0, code);
        assertEquals(List.of(JobState.QUEUED), states(state));
        ServeCommand second = new ServeCommand();
        new CommandLine(second).parseArgs(options);
        second.start();
        try {
            await(() -> states(state).equals(List.of(JobState.SUCCEEDED)));
            assertTrue(Files.exists(data.resolve("pixq-output/r/mended-thumb.jpg")));
        } finally {
            second.stop();
        }
    }

    private static List<JobState> states(Path state) {
        try (LocalState open = LocalState.open(state)) {
            return open.jobs().list("retry-me", null, 10).stream().map(Job::state).toList();
        }
    }

    /** One request on a socket of its own, as written; the whole answer. */
    private static String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", serve.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aFileDroppedIntoTheInputBucketIsSubmittedOnceAlsoAfterARestart() throws Exception {
        Path incoming = Files.createDirectories(dir.resolve("data/pixq-input/incoming"));
        image(incoming.resolve("dropped.jpg"), "jpg", 200, 100);
        Path output = dir.resolve("data/pixq-output/incoming/dropped-thumb.jpg");
        await(() -> Files.exists(output));
        Path record = LocalState.dropRecord(dir.resolve("state"));
        await(() -> lines(record, "incoming/dropped.jpg\t") == 1);
        serve.stop();
        serve = start(dir.resolve("state"));
        Thread.sleep(3000); // three scans of the folder
        assertEquals(1, lines(record, "incoming/dropped.jpg\t"), "the dropped file was submitted again after the restart");
        List<Job> dropped = jobs(null).stream().filter(j -> j.spec().input() != null && j.spec().input().endsWith("dropped.jpg")).toList();
        assertEquals(1, dropped.size());
        assertEquals(JobState.SUCCEEDED, dropped.get(0).state());
    }

    @Test
    void theRuntimeClientPathGivesWhatPixqInvokeGives() throws Exception {
        Path same = Files.createDirectories(dir.resolve("data/pixq-input/same"));
        image(same.resolve("a.jpg"), "jpg", 320, 240);
        image(same.resolve("c.jpg"), "jpg", 500, 375);
        Files.writeString(dir.resolve("same.json"), "{\"batchId\": \"same\", \"inputs\": [\"s3://pixq-input/same/a.jpg\","
                + " \"s3://elsewhere/b.jpg\"], \"recipe\": \"web\"}");
        Path output = dir.resolve("data/pixq-output/same/c-thumb.jpg");
        // the SQS event Lambda would give the worker: a job message for c.jpg, and a malformed message
        JsonNode sample = JSON.readTree(Path.of("events/sqs-batch.json").toFile());
        String job = pixq.job.JobSpec.of("same", "s3://pixq-input/same/c.jpg", "s3://pixq-output/same/",
                pixq.recipe.Recipes.resolve("thumbnail"), List.of()).toJson();
        ((com.fasterxml.jackson.databind.node.ObjectNode) sample.path("Records").get(0)).put("body", job);
        Path event = dir.resolve("sqs-same.json");
        JSON.writeValue(event.toFile(), sample);

        JsonNode viaServe = JSON.readTree(post("SubmitFunction", dir.resolve("same.json")));
        JsonNode viaInvoke = JSON.readTree(invoke("SubmitFunction", dir.resolve("same.json")));
        assertEquals(viaInvoke, viaServe);
        assertEquals(1, viaServe.path("jobs").asInt(), viaServe.toString());

        JsonNode workerViaServe = JSON.readTree(post("WorkerFunction", event));
        byte[] servedOutput = Files.readAllBytes(output);
        Files.delete(output);
        JsonNode workerViaInvoke = JSON.readTree(invoke("WorkerFunction", event));
        assertEquals(workerViaInvoke, workerViaServe);
        assertTrue(workerViaServe.path("batchItemFailures").isArray(), workerViaServe.toString());
        assertTrue(java.util.Arrays.equals(servedOutput, Files.readAllBytes(output)), "the two paths wrote different thumbnails");
    }

    @Test
    void theSampleEventsWorkAsTheyStand() throws Exception {
        // as README says: the repository's samples in the embedded input bucket
        Path samples = Files.createDirectories(dir.resolve("data/pixq-input/samples"));
        try (var files = Files.list(Path.of("samples"))) {
            for (Path file : files.filter(f -> !f.toString().endsWith(".txt")).toList()) {
                Files.copy(file, samples.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(Path.of("samples/portrait-exif6.jpg"), Files.createDirectories(dir.resolve("data/pixq-input/incoming"))
                .resolve("portrait exif6.jpg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> batches = new java.util.ArrayList<>();
        for (String event : List.of("submit-list.json", "submit-prefix.json", "s3-put.json")) {
            JsonNode answer = JSON.readTree(post("SubmitFunction", Path.of("events", event).toAbsolutePath()));
            assertEquals(0, answer.path("rejected").size(), event + ": " + answer);
            assertTrue(answer.path("jobs").asInt() + answer.path("duplicates").asInt() > 0, event + ": " + answer);
            batches.add(answer.path("batchId").asText());
        }
        JsonNode worker = JSON.readTree(post("WorkerFunction", Path.of("events/sqs-batch.json").toAbsolutePath()));
        assertEquals(0, worker.path("batchItemFailures").size(), worker.toString()); // the malformed one fails for good
        await(() -> batches.stream().allMatch(b -> jobs(b).stream().allMatch(j -> j.state() == JobState.SUCCEEDED)));
        assertTrue(Files.exists(dir.resolve("data/pixq-output/samples/landscape-1600.jpg")));
        assertTrue(Files.exists(dir.resolve("data/pixq-output/incoming/portrait exif6-thumb.jpg")));
    }

    @Test
    void inProcessTheFunctionsAnswerTheSame() throws Exception {
        ServeCommand inProcess = new ServeCommand();
        new CommandLine(inProcess).parseArgs("--port", "0", "--state", dir.resolve("in-process-state").toString(),
                "--data", dir.resolve("data").toString(), "--in-process");
        inProcess.start();
        try {
            AwsCli.Result r = AwsCli.v1().invoke(dir, inProcess.port(), "SubmitFunction", "request.json", "in-process.json");
            assertEquals(0, r.exit(), r.err());
            JsonNode answer = JSON.readTree(dir.resolve("in-process.json").toFile());
            assertEquals(2, answer.path("jobs").asInt(), answer.toString()); // its own state: new jobs there
        } finally {
            inProcess.stop();
        }
    }

    @Test
    void theArgsOnlySampleEventRunsTheTemplatesCommandThroughServe() throws Exception {
        Path script = ExampleJob.script();
        ServeCommand withCommands = new ServeCommand();
        new CommandLine(withCommands).parseArgs("--port", "0", "--state", dir.resolve("commands-state").toString(),
                "--data", dir.resolve("data").toString(), "--concurrency", "1",
                "--parameter-overrides", "Commands=myjob=" + script);
        withCommands.start();
        try {
            AwsCli.Result r = AwsCli.v2().invoke(dir, withCommands.port(), "SubmitFunction",
                    Path.of("events/submit-args.json").toAbsolutePath().toString(), "args.json");
            assertEquals(0, r.exit(), r.err());
            assertEquals("add-jobs", JSON.readTree(dir.resolve("args.json").toFile()).path("batchId").asText());
            try (LocalState state = LocalState.open(dir.resolve("commands-state"))) {
                await(() -> state.jobs().list("add-jobs", JobState.SUCCEEDED, 10).size() == 3);
            }
            try (var outputs = Files.walk(dir.resolve("data/pixq-output/add-jobs"))) {
                assertEquals(3, outputs.filter(p -> p.getFileName().toString().endsWith("result.json")).count());
            }
        } finally {
            withCommands.stop();
        }
    }

    @Test
    void aTakenPortIsSaidPlainly() {
        ServeCommand second = new ServeCommand();
        new CommandLine(second).parseArgs("--port", Integer.toString(serve.port()), "--state", dir.resolve("second-state").toString(),
                "--data", dir.resolve("data").toString(), "--in-process");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, second::start);
        assertTrue(e.getMessage().contains("is taken"), e.getMessage());
    }

    /** An Invoke API call (RequestResponse) to serve, whose functions run in runtime-client JVMs. */
    private static String post(String function, Path event) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serve.port() + InvokeApi.PATH + function + "/invocations"))
                .POST(HttpRequest.BodyPublishers.ofFile(event)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("X-Amz-Function-Error").isEmpty(), r.body());
        return r.body();
    }

    /** pixq invoke, in-process, on a state of its own over the same bucket folders. */
    private static String invoke(String function, Path event) {
        var out = new java.io.ByteArrayOutputStream();
        var old = System.out;
        System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new InvokeCommand()).execute(function, "--event", event.toString(),
                    "--state", dir.resolve("invoke-state").toString(), "--data", dir.resolve("data").toString());
            assertEquals(0, code, out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        return printed.substring(printed.lastIndexOf("\n{") + 1); // the handler's own log lines come first
    }

    private static long lines(Path file, String start) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> l.startsWith(start)).count() : 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Job> jobs(String batch) {
        try (LocalState state = LocalState.open(dir.resolve("state"))) {
            return state.jobs().list(batch, null, 1000);
        }
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("not within 60 s");
            }
            Thread.sleep(100);
        }
    }

    /** A test image made by the JDK's encoder, independent of pixq's engine. */
    static void image(Path path, String format, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, new Color(255 * x / width, 255 * y / height, 90).getRGB());
            }
        }
        try (OutputStream out = Files.newOutputStream(path)) {
            ImageIO.write(image, format, out);
        }
    }
}
