package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.job.JobBuilders.aJob;
import static pixq.job.JobBuilders.aSpec;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import pixq.web.WebConsole;
import pixq.job.Job;
import pixq.web.WebStatus;
import pixq.job.JobState;
import pixq.local.LocalState;

/**
 * {@code pixq status --web} in a real headless Chromium, on a finished batch with a failed job: every
 * page renders, the previews load, a hostile file name shows as text, and the retry button requeues the
 * failed job, which this process then works off, and the page shows it succeed. Screenshots of each page
 * go to target/web-*.png.
 */
class WebStatusBrowserTest {
    private static final Path SHOTS = Path.of("target");

    @TempDir
    Path dir;

    @Test
    void the_pages_show_a_batch_its_previews_and_failures_and_retry_makes_the_failed_job_succeed() throws Exception {
        // given a batch: two photos, a file whose name is markup, and a "photo" that is not one yet
        Path in = Files.createDirectories(dir.resolve("in"));
        aPhoto(in.resolve("harbour.jpg"), 1200, 800, new Color(30, 90, 170));
        aPhoto(in.resolve("meadow.png"), 600, 900, new Color(60, 150, 60));
        aPhoto(in.resolve("<script>.jpg"), 400, 300, new Color(200, 120, 30));
        aPhoto(in.resolve("<img src=x onerror=pwned=1>.jpg"), 400, 300, new Color(120, 30, 200));
        Files.writeString(in.resolve("late.jpg"), "the camera had not finished writing this file");
        Files.createDirectories(dir.resolve("out"));
        aPhoto(dir.resolve("out/harbour-thumb.jpg"), 100, 100, Color.BLACK); // an earlier file the run will write over
        Path state = dir.resolve("state");
        int exit = Main.commandLine().execute("run", in.toString(), "--out", dir.resolve("out").toString(),
                "--recipe", "thumbnail", "--state", state.toString(), "--workers", "2");
        assertEquals(2, exit, "the batch ends with a failed job");
        Job late = failed(state, "late.jpg");
        String batch = late.spec().batchId();
        aPhoto(in.resolve("late.jpg"), 800, 600, new Color(220, 40, 40)); // the file is whole now: retry will work

        StatusCommand command = new StatusCommand();
        new CommandLine(command).parseArgs("--web", "--port", "0", "--state", state.toString());
        try (WebStatus web = command.pages();
                Chromium browser = Chromium.start(dir.resolve("profile"))) {
            URI base = web.url();

            // batches: the batch with its counts
            browser.open(base);
            browser.await("document.querySelector('tr[data-batch=\"" + batch + "\"]')");
            assertTrue(browser.eval("document.querySelector('#batches').innerText").asText().contains(batch));
            browser.screenshot(SHOTS.resolve("web-batches.png"));

            // one batch: the chart and every job; names that are markup show as text and run nothing
            browser.open(base.resolve("batch?id=" + batch));
            browser.await("document.querySelectorAll('tr[data-job]').length === 5 && document.querySelector('svg.chart rect')");
            assertEquals("1", browser.eval("document.querySelector('.fact-outputsreplacedearlierones b').innerText").asText());
            List<String> inputs = texts(browser, "td.input");
            assertTrue(inputs.stream().anyMatch(s -> s.endsWith("/<script>.jpg")), inputs.toString());
            assertTrue(inputs.stream().anyMatch(s -> s.endsWith("/<img src=x onerror=pwned=1>.jpg")), inputs.toString());
            assertEquals(0, browser.eval("document.querySelectorAll('main script, main img[src=\"x\"]').length").asInt());
            assertTrue(browser.eval("typeof window.pwned === 'undefined'").asBoolean());
            browser.screenshot(SHOTS.resolve("web-batch.png"));

            // gallery: every preview, before and after, loaded with real pixels
            browser.open(base.resolve("gallery?id=" + batch));
            browser.await("document.images.length >= 4 && [...document.images].every(i => i.complete && i.naturalWidth > 0)");
            assertTrue(browser.eval("[...document.images].every(i => i.naturalWidth <= " + WebConsole.THUMBNAIL_BOX + ")").asBoolean());
            assertTrue(browser.eval("document.querySelector('.card .saved').innerText").asText().startsWith("saved"));
            browser.screenshot(SHOTS.resolve("web-gallery.png"));

            // failures: the reason shows; retry requeues the job, this process works it off, the page shows it succeed
            browser.open(base.resolve("failures?id=" + batch));
            String row = "tr[data-job=\"" + late.id() + "\"]";
            browser.await("document.querySelector('" + row + " button.retry')");
            assertTrue(texts(browser, ".group .why").stream().anyMatch(s -> s.startsWith("not an image")), texts(browser, ".group .why").toString());
            browser.screenshot(SHOTS.resolve("web-failures.png"));
            browser.eval("document.querySelector('" + row + " button.retry').click()");
            browser.await("document.querySelector('#notice').innerText.startsWith('Requeued 1 job')");
            browser.await("[...document.querySelectorAll('" + row + " .state')].some(s => s.innerText === 'succeeded')");
            browser.screenshot(SHOTS.resolve("web-retried.png"));
        }
        try (LocalState local = LocalState.open(state)) {
            assertEquals(JobState.SUCCEEDED, local.jobs().find(late.id()).orElseThrow().state());
        }
        assertTrue(Files.size(dir.resolve("out/late-thumb.jpg")) > 0);
    }

    private static List<String> texts(Chromium browser, String selector) {
        List<String> texts = new java.util.ArrayList<>();
        browser.eval("[...document.querySelectorAll('" + selector + "')].map(e => e.innerText)").forEach(n -> texts.add(n.asText()));
        return texts;
    }

    private static Job failed(Path state, String name) {
        try (LocalState local = LocalState.open(state)) {
            return local.jobs().list(null, JobState.FAILED, 100).stream()
                    .filter(job -> job.spec().input().endsWith("/" + name)).findFirst().orElseThrow();
        }
    }

    /** A photo-like fixture drawn with Java2D and written by ImageIO: independent of pixq's engine. */
    private static void aPhoto(Path file, int width, int height, Color sky) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(sky);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        g.fillOval(width / 2, height / 6, width / 5, width / 5);
        g.setColor(new Color(40, 110, 60));
        g.fillRect(0, height * 2 / 3, width, height / 3);
        g.dispose();
        String name = file.getFileName().toString();
        ImageIO.write(image, name.endsWith(".png") ? "png" : "jpg", file.toFile());
    }

    @Test
    void pixq_status_web_leaves_the_state_folder_free_for_a_run() throws Exception {
        try (LocalState state = LocalState.open(dir.resolve("state"))) {
            state.jobs().insertNew(List.of(aJob().spec(aSpec().batch("b").input("file:/in/a.jpg")).state(JobState.FAILED).attempts(1)
                    .lastError("not an image").build()));
        }
        StatusCommand command = new StatusCommand();
        new picocli.CommandLine(command).parseArgs("--web", "--port", "0", "--state", dir.resolve("state").toString());

        try (WebStatus web = command.pages();
                LocalState run = LocalState.open(dir.resolve("state"))) {
            assertTrue(run.tryLockRun(), "a pixq run could take the run lock while the pages are served");
            assertEquals(200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(web.url().resolve("api/batches")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
        }
    }

}
