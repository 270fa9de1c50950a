package pixq.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.aSpec;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.image.EngineConfig;
import pixq.image.ImageEngine;
import pixq.image.ImageException;
import pixq.image.OpenCvImageEngine;
import pixq.job.BlobException;
import pixq.job.BlobStore;
import pixq.job.Delivery;
import pixq.job.Job;
import pixq.job.JobBuilders;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.local.LocalFolderBlobStore;
import pixq.local.SqliteDatabase;
import pixq.local.SqliteJobStore;
import pixq.recipe.Recipe;
import pixq.recipe.RecipeString;
import pixq.recipe.Recipes;

class BatchRunnerTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    private static final WorkerConfig CONFIG = new WorkerConfig(2, 3, 1 << 20, Duration.ofMinutes(5), Duration.ofMinutes(15));

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private SqliteJobStore store;
    private Path in;
    private Path out;

    @BeforeEach
    void openStore() throws IOException {
        db = SqliteDatabase.open(dir.resolve("pixq.db"));
        store = new SqliteJobStore(db);
        in = Files.createDirectories(dir.resolve("in"));
        out = Files.createDirectories(dir.resolve("out"));
    }

    @AfterEach
    void closeStore() {
        db.close();
    }

    @Test
    void a_bad_image_fails_alone_with_its_reason_and_the_good_one_succeeds() throws IOException {
        // given
        JobSpec good = queued(anImage("good.jpg", 640, 480), Recipes.resolve("thumbnail"));
        JobSpec corrupt = queued(aFile("corrupt.jpg", new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3}), Recipes.resolve("thumbnail"));
        // when
        List<ItemResult> results = run(delivery(good, 1), delivery(corrupt, 1));
        // then
        assertEquals(Outcome.SUCCEEDED, results.get(0).outcome());
        assertEquals(Outcome.FAILED, results.get(1).outcome());
        Job done = store.find(good.id()).orElseThrow();
        assertEquals(JobState.SUCCEEDED, done.state());
        assertEquals(List.of(out.toUri() + "good-thumb.jpg"), done.outputs());
        assertEquals(256, ImageIO.read(out.resolve("good-thumb.jpg").toFile()).getWidth());
        Job failed = store.find(corrupt.id()).orElseThrow();
        assertEquals(JobState.FAILED, failed.state());
        assertTrue(failed.lastError() != null && !failed.lastError().isBlank());
        assertEquals(1, failed.attempts());
    }

    @Test
    void a_job_whose_output_replaced_an_earlier_one_of_its_input_says_so_in_its_result() throws IOException {
        // given two recipes that write the same name from one image
        Path image = anImage("a.jpg", 640, 480);
        JobSpec small = queued(image, RecipeString.parse("fit 100 | png"));
        JobSpec smaller = queued(image, RecipeString.parse("fit 50 | png"));
        // when one runs after the other
        List<ItemResult> results = List.of(run(delivery(small, 1)).get(0), run(delivery(smaller, 1)).get(0));
        // then the first replaced nothing, the second replaced the first's output
        assertEquals(List.of(Outcome.SUCCEEDED, Outcome.SUCCEEDED), results.stream().map(ItemResult::outcome).toList());
        assertEquals(List.of(0, 1), results.stream().map(ItemResult::replaced).toList());
        assertEquals(50, ImageIO.read(out.resolve("a.png").toFile()).getWidth());
    }

    @Test
    void a_redelivered_job_that_already_succeeded_is_skipped_and_not_redone() throws IOException {
        JobSpec spec = queued(anImage("a.jpg", 320, 200), Recipes.resolve("thumbnail"));
        run(delivery(spec, 1));
        byte[] first = Files.readAllBytes(out.resolve("a-thumb.jpg"));
        Files.delete(out.resolve("a-thumb.jpg"));

        List<ItemResult> again = run(delivery(spec, 2));

        assertEquals(Outcome.SKIPPED, again.get(0).outcome());
        assertTrue(Files.notExists(out.resolve("a-thumb.jpg")), "a skipped job writes nothing");
        assertEquals(1, store.find(spec.id()).orElseThrow().attempts());
        assertTrue(first.length > 0);
    }

    @Test
    void a_malformed_message_is_a_failed_item_not_a_crash() {
        List<ItemResult> results = new BatchRunner(store, blobs(), new OpenCvImageEngine(), CONFIG, CLOCK)
                .run(List.of(new Delivery("m1", "{\"not\": \"a job\"", "r1", 1)), () -> true);
        assertEquals(Outcome.FAILED, results.get(0).outcome());
        assertTrue(results.get(0).detail().startsWith("malformed job message"), results.get(0).detail());
    }

    @Test
    void io_trouble_is_retried_then_dead_lettered_on_the_last_receive() throws IOException {
        JobSpec spec = queued(anImage("a.jpg", 64, 64), Recipes.resolve("thumbnail"));
        BlobStore flaky = new ThrottledReads(blobs(), Integer.MAX_VALUE);

        ItemResult first = runWith(flaky, delivery(spec, 1)).get(0);
        assertEquals(Outcome.RETRY, first.outcome());
        Job waiting = store.find(spec.id()).orElseThrow();
        assertEquals(JobState.QUEUED, waiting.state());
        assertEquals("S3 is slow today", waiting.lastError());

        runWith(flaky, delivery(spec, 2));
        ItemResult last = runWith(flaky, delivery(spec, 3)).get(0);

        assertEquals(Outcome.DEAD_LETTERED, last.outcome());
        Job dead = store.find(spec.id()).orElseThrow();
        assertEquals(JobState.FAILED, dead.state());
        assertEquals(3, dead.attempts());
        assertEquals("gave up after 3 attempts (dead-lettered): S3 is slow today", dead.lastError());
    }

    @Test
    void a_full_output_disk_stops_the_worker_with_the_job_queued_and_gives_up_only_on_a_counted_last_receive() throws IOException {
        // given an output disk with no space left
        JobSpec spec = queued(anImage("a.jpg", 64, 64), Recipes.resolve("thumbnail"));
        BlobStore full = new LocalFolderBlobStore(out, (file, bytes) -> {
            throw new IOException("No space left on device");
        });

        // when it is the job's first receive: not the job's failure, the worker stops
        ItemResult first = runWith(full, delivery(spec, 1)).get(0);
        assertEquals(Outcome.STOPPED, first.outcome());
        Job waiting = store.find(spec.id()).orElseThrow();
        assertEquals(JobState.QUEUED, waiting.state());
        assertTrue(waiting.lastError().startsWith("the output disk is full: cannot write "), waiting.lastError());

        // when its receives were counted to the last (a worker that cannot stop): it gives up as any retry does
        ItemResult last = runWith(full, delivery(spec, CONFIG.maxReceives())).get(0);
        assertEquals(Outcome.DEAD_LETTERED, last.outcome());
        assertEquals(JobState.FAILED, store.find(spec.id()).orElseThrow().state());
    }

    @Test
    void when_time_runs_short_nothing_starts_and_nothing_is_recorded() throws IOException {
        JobSpec spec = queued(anImage("a.jpg", 64, 64), Recipes.resolve("thumbnail"));
        List<ItemResult> results = new BatchRunner(store, blobs(), new OpenCvImageEngine(), CONFIG, CLOCK)
                .run(List.of(delivery(spec, 1)), () -> false);
        assertEquals(Outcome.NOT_STARTED, results.get(0).outcome());
        assertEquals(JobState.QUEUED, store.find(spec.id()).orElseThrow().state());
    }

    @Test
    void a_job_running_elsewhere_is_handed_back_until_its_lease_runs_out() throws IOException {
        // given a job another worker started
        JobSpec spec = queued(anImage("a.jpg", 64, 64), Recipes.resolve("thumbnail"));
        Job queued = store.find(spec.id()).orElseThrow();
        store.update(queued, queued.start(CLOCK, JobBuilders.LEASE));
        // when its message comes again within the lease, then it is handed back
        assertEquals(Outcome.RETRY, run(delivery(spec, 2)).get(0).outcome());
        // when it comes after the lease (the other worker died), then it is taken over
        Clock later = Clock.offset(CLOCK, CONFIG.lease().plusSeconds(1));
        List<ItemResult> takenOver = new BatchRunner(store, blobs(), new OpenCvImageEngine(), CONFIG, later)
                .run(List.of(delivery(spec, 3)), () -> true);
        assertEquals(Outcome.SUCCEEDED, takenOver.get(0).outcome());
        assertEquals(2, store.find(spec.id()).orElseThrow().attempts());
    }

    @Test
    void a_message_whose_output_name_would_leave_the_output_folder_fails_and_writes_nothing() throws IOException {
        // given a message crafted by hand, past the recipe's own checks
        JobSpec spec = queued(anImage("a.jpg", 64, 64), Recipes.resolve("thumbnail"));
        String hostile = spec.toJson().replace("\"-thumb\"", "\"/../../escaped\"");
        // when
        ItemResult result = run(new Delivery("m1", hostile, "r1", 1)).get(0);
        // then
        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.detail().contains("plain file-name suffix"), result.detail());
        try (var written = Files.walk(dir)) {
            assertTrue(written.noneMatch(p -> p.getFileName().toString().startsWith("escaped")));
        }
    }

    @Test
    void an_input_named_like_a_parent_folder_cannot_name_an_output_outside() {
        JobSpec spec = aSpec().input("s3://in/photos/..").output("s3://out/photos/").build();
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> spec.outputUri("-thumb.jpg"));
        assertTrue(refused.getMessage().contains("names no file"), refused.getMessage());
    }

    @Test
    void the_same_bytes_and_recipe_give_the_same_output_bytes() throws IOException {
        JobSpec spec = queued(anImage("a.jpg", 500, 300), Recipes.resolve("web"));
        run(delivery(spec, 1));
        byte[] first = Files.readAllBytes(out.resolve("a-320.jpg"));
        byte[] again = new OpenCvImageEngine().render(Files.readAllBytes(in.resolve("a.jpg")), spec.recipe(), List.of())
                .stream().filter(r -> r.suffix().equals("-320.jpg")).findFirst().orElseThrow().bytes();
        assertArrayEquals(first, again);
    }

    @Test
    void a_job_canceled_while_it_runs_stays_canceled_with_the_outputs_it_wrote_recorded() throws IOException {
        // given a job canceled while its image is being rendered
        JobSpec spec = queued(anImage("a.jpg", 640, 480), Recipes.resolve("thumbnail"));
        OpenCvImageEngine real = new OpenCvImageEngine();
        ImageEngine cancelingMidway = (input, recipe, args, commandEnv) -> {
            Job running = store.find(spec.id()).orElseThrow();
            store.update(running, running.cancel(CLOCK));
            return real.render(input, recipe, args, commandEnv);
        };
        // when
        try (BatchRunner runner = new BatchRunner(store, blobs(), cancelingMidway, CONFIG, CLOCK)) {
            runner.run(List.of(delivery(spec, 1)), () -> true);
        }
        // then
        Job canceled = store.find(spec.id()).orElseThrow();
        assertEquals(JobState.CANCELED, canceled.state());
        assertEquals(List.of(out.toUri() + "a-thumb.jpg"), canceled.outputs());
        assertTrue(Files.exists(out.resolve("a-thumb.jpg")));
    }

    @Test
    void an_image_that_runs_out_of_memory_fails_saying_so_and_the_worker_goes_on() throws IOException {
        // given a job whose rendering runs out of heap, then an ordinary one
        JobSpec huge = queued(anImage("huge.jpg", 64, 64), Recipes.resolve("thumbnail"));
        JobSpec next = queued(anImage("next.jpg", 64, 64), Recipes.resolve("thumbnail"));
        OpenCvImageEngine real = new OpenCvImageEngine();
        ImageEngine hungry = (input, recipe, args, commandEnv) -> {
            if (store.find(huge.id()).orElseThrow().state() == JobState.RUNNING) {
                throw new OutOfMemoryError("Java heap space");
            }
            return real.render(input, recipe, args, commandEnv);
        };
        // when
        List<ItemResult> results;
        try (BatchRunner runner = new BatchRunner(store, blobs(), hungry, CONFIG, CLOCK)) {
            results = List.of(runner.run(List.of(delivery(huge, 1)), () -> true).get(0),
                    runner.run(List.of(delivery(next, 1)), () -> true).get(0));
        }
        // then it failed for good, with the reason and what to do; the next job ran on the same worker
        assertEquals(Outcome.FAILED, results.get(0).outcome());
        Job failed = store.find(huge.id()).orElseThrow();
        assertEquals(JobState.FAILED, failed.state());
        assertTrue(failed.lastError().startsWith("out of memory") && failed.lastError().contains("--max-pixels"), failed.lastError());
        assertEquals(Outcome.SUCCEEDED, results.get(1).outcome());
    }

    @Test
    void a_throttled_watermark_read_is_retried_and_a_missing_watermark_fails_for_good() throws IOException {
        JobSpec throttled = queued(anImage("t.jpg", 64, 64), Recipes.resolve("watermark @s3://marks/slow.png | jpeg"));
        JobSpec missing = queued(anImage("m.jpg", 64, 64), Recipes.resolve("watermark @s3://marks/gone.png | jpeg"));
        ImageEngine engine = new OpenCvImageEngine(EngineConfig.defaults().withResources(uri -> {
            // The reader translates storage's words at the edge, as the worker function's does (Engines).
            throw uri.contains("slow") ? new ImageException.Unavailable("SlowDown: reduce your request rate", null) : new BlobException.NotFound(uri);
        }));
        List<ItemResult> results;
        try (BatchRunner runner = new BatchRunner(store, blobs(), engine, CONFIG, CLOCK)) {
            results = runner.run(List.of(delivery(throttled, 1), delivery(missing, 1)), () -> true);
        }
        assertEquals(Outcome.RETRY, results.get(0).outcome(), results.get(0).detail());
        assertEquals(JobState.QUEUED, store.find(throttled.id()).orElseThrow().state());
        assertEquals(Outcome.FAILED, results.get(1).outcome());
        assertTrue(results.get(1).detail().contains("the watermark image s3://marks/gone.png could not be read"), results.get(1).detail());
    }

    private List<ItemResult> run(Delivery... deliveries) {
        return runWith(blobs(), deliveries);
    }

    private List<ItemResult> runWith(BlobStore blobs, Delivery... deliveries) {
        try (BatchRunner runner = new BatchRunner(store, blobs, new OpenCvImageEngine(), CONFIG, CLOCK)) {
            return runner.run(List.of(deliveries), () -> true);
        }
    }

    private BlobStore blobs() {
        return new LocalFolderBlobStore(out);
    }

    private JobSpec queued(Path input, Recipe recipe) {
        JobSpec spec = aSpec().input(input.toUri().toString()).output(out.toUri().toString()).recipe(recipe).build();
        store.insertNew(List.of(Job.queued(spec, CLOCK)));
        return spec;
    }

    private static Delivery delivery(JobSpec spec, int receiveCount) {
        return new Delivery("m-" + spec.id() + "-" + receiveCount, spec.toJson(), "r-" + receiveCount, receiveCount);
    }

    private Path anImage(String name, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLUE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", bytes);
        return aFile(name, bytes.toByteArray());
    }

    private Path aFile(String name, byte[] bytes) throws IOException {
        return Files.write(in.resolve(name), bytes);
    }
}
