package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.image.Images.GREEN;
import static pixq.image.Images.RED;
import static pixq.image.Images.anImage;
import static pixq.image.Images.decode;
import static pixq.image.Images.near;
import static pixq.image.Images.rgbAt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import pixq.job.Await;
import org.junit.jupiter.api.io.TempDir;
import pixq.recipe.RecipeString;

/** The two ways users bring their own code: the command operation and ImageFilter plugins. */
class ExtensionsTest {
    @TempDir
    Path dir;

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private OpenCvImageEngine engineWith(Map<String, Path> commands) {
        return new OpenCvImageEngine(EngineConfig.defaults().withCommands(commands).withCommandTimeout(Duration.ofSeconds(20)));
    }

    @Test
    void commandGetsInputOutputAndTheJobsArgs() throws IOException {
        // given a command that copies its input to its output and notes its arguments
        Path log = dir.resolve("args.txt");
        Path copy = script("copy.sh", "cp \"$1\" \"$2\"\nshift 2\necho \"$@\" > " + log);
        OpenCvImageEngine engine = engineWith(Map.of("copy", copy));
        byte[] png = anImage(40, 20).quadrants().png();
        // when a recipe runs it
        List<Rendition> out = engine.render(png, RecipeString.parse("command copy | png"), List.of("a", "b c"));
        // then the image went through, and the args arrived
        Mat m = decode(out.get(0).bytes());
        assertTrue(near(rgbAt(m, 5, 5), RED, 0));
        assertEquals("a b c", Files.readString(log).strip());
    }

    @Test
    void aCommandAfterOtherStepsSeesTheImageAsItStands() throws IOException {
        Path copy = script("copy.sh", "cp \"$1\" \"$2\"");
        Mat m = decode(engineWith(Map.of("copy", copy)).render(anImage(40, 20).quadrants().jpeg(),
                RecipeString.parse("flop | command copy | png"), List.of()).get(0).bytes());
        assertTrue(near(rgbAt(m, 5, 5), GREEN, 12));
    }

    @Test
    void aFailingCommandFailsTheJobWithItsStderr() throws IOException {
        Path fail = script("fail.sh", "echo 'starting' >&2\necho 'boom: the model file is missing' >&2\nexit 3");
        ImageException e = assertThrows(ImageException.class, () -> engineWith(Map.of("fail", fail))
                .render(anImage(10, 10).png(), RecipeString.parse("command fail | png"), List.of()));
        assertTrue(e.getMessage().contains("exit code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("boom: the model file is missing"), e.getMessage());
    }

    @Test
    void aCommandThatWritesNothingFailsTheJob() throws IOException {
        Path lazy = script("lazy.sh", "exit 0");
        ImageException e = assertThrows(ImageException.class, () -> engineWith(Map.of("lazy", lazy))
                .render(anImage(10, 10).png(), RecipeString.parse("command lazy | png"), List.of()));
        assertTrue(e.getMessage().contains("wrote no image"), e.getMessage());
    }

    @Test
    void aCommandEndingARecipeWithoutOutputsHasItsFilesAsTheOutputs() throws IOException {
        // given a command that writes a JSON, a CSV and a file in a sub-folder, and notes its second argument
        Path log = dir.resolve("outdir.txt");
        Path detect = script("detect.sh", "echo \"$2 $PIXQ_OUTPUT_DIR\" > " + log + "\n"
                + "echo '{\"faces\": 2}' > \"$2/faces.json\"\necho 'x,y' > \"$PIXQ_OUTPUT_DIR/boxes.csv\"\n"
                + "mkdir \"$2/crops\" && cp \"$1\" \"$2/crops/1 of 2.png\"");
        // when
        List<Rendition> out = engineWith(Map.of("detect", detect)).render(anImage(20, 10).png(),
                RecipeString.parse("command detect"), List.of());
        // then: every file, in name order, named after where it was written, typed by its extension
        assertEquals(List.of("-boxes.csv", "-crops-1 of 2.png", "-faces.json"), out.stream().map(Rendition::suffix).toList());
        assertEquals(List.of("text/csv", "image/png", "application/json"), out.stream().map(Rendition::contentType).toList());
        assertEquals("{\"faces\": 2}", new String(out.get(2).bytes()).strip());
        String[] outdir = Files.readString(log).strip().split(" ");
        assertEquals(outdir[0], outdir[1], "argument 2 is PIXQ_OUTPUT_DIR");
    }

    @Test
    void writingNothingFailsTheJobUnlessTheRecipeAllowsIt() throws IOException {
        Path quiet = script("quiet.sh", "exit 0");
        OpenCvImageEngine engine = engineWith(Map.of("quiet", quiet));
        ImageException e = assertThrows(ImageException.class,
                () -> engine.render(null, RecipeString.parse("command quiet"), List.of("a")));
        assertTrue(e.getMessage().contains("wrote no file") && e.getMessage().contains("command quiet allow-empty"), e.getMessage());
        assertEquals(List.of(), engine.render(null, RecipeString.parse("command quiet allow-empty"), List.of("a")));
    }

    @Test
    void aCommandsFilesMustBeRegularFilesThatFitTheByteLimit() throws IOException {
        Path link = script("link.sh", "ln -s /etc/hostname \"$2/host\"");
        Path big = script("big.sh", "head -c 600 /dev/zero > \"$2/a.bin\" && head -c 600 /dev/zero > \"$2/b.bin\"");
        OpenCvImageEngine engine = new OpenCvImageEngine(EngineConfig.defaults().withMaxBytes(1000)
                .withCommands(Map.of("link", link, "big", big)));
        ImageException e = assertThrows(ImageException.class, () -> engine.render(null, RecipeString.parse("command link"), List.of()));
        assertTrue(e.getMessage().contains("host") && e.getMessage().contains("not a regular file"), e.getMessage());
        e = assertThrows(ImageException.class, () -> engine.render(null, RecipeString.parse("command big"), List.of()));
        assertTrue(e.getMessage().contains("over the limit of 1000 bytes"), e.getMessage());
    }

    @Test
    void anImageCommandsExtraFilesAreOutputsToo() throws IOException {
        Path both = script("both.sh", "cp \"$1\" \"$2\" && echo ok > \"$PIXQ_OUTPUT_DIR/report.txt\"");
        List<Rendition> out = engineWith(Map.of("both", both)).render(anImage(20, 10).png(),
                RecipeString.parse("command both | png -big ; fit 5 | png -small"), List.of());
        // the second command's report has the same name as the first's: refused, never overwritten
        ImageException e = assertThrows(ImageException.class, () -> engineWith(Map.of("both", both)).render(anImage(20, 10).png(),
                RecipeString.parse("flop | command both > png -a ; command both > png -b"), List.of()));
        assertTrue(e.getMessage().contains("-report.txt"), e.getMessage());
        assertEquals(List.of("-report.txt", "-big.png", "-small.png"), out.stream().map(Rendition::suffix).toList());
        assertEquals(5, decode(out.get(2).bytes()).cols());
    }

    @Test
    void aCommandIsStoppedWhenTheWorkersTimeRunsOutAndItsScratchIsDeleted() throws IOException {
        // given a command that starts a child, notes the child's pid and its scratch folder, then waits
        Path pid = dir.resolve("pid.txt");
        Path scratch = dir.resolve("scratch.txt");
        Path slow = script("slow.sh", "pwd > " + scratch + "\nsleep 60 &\necho $! > " + pid + "\nwait");
        OpenCvImageEngine engine = new OpenCvImageEngine(EngineConfig.defaults().withCommands(Map.of("slow", slow))
                .withCommandTimeout(Duration.ofMinutes(5)).withTimeLeft(() -> Duration.ofSeconds(1)));
        // when
        ImageException e = assertThrows(ImageException.class,
                () -> engine.render(null, RecipeString.parse("command slow"), List.of()));
        // then: stopped at the worker's deadline, not the 5-minute timeout; its child killed; its scratch gone
        assertTrue(e.getMessage().contains("time limit of 1 s") && e.getMessage().contains("long queue"), e.getMessage());
        long child = Long.parseLong(Files.readString(pid).strip());
        assertTrue(ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true), "the command's child was left running");
        assertTrue(Files.notExists(Path.of(Files.readString(scratch).strip())), "the scratch folder was left behind");
    }

    @Test
    void aCommandInterruptedBecauseTheWorkerStopsIsKilledAndItsJobLeftToRunAgain() throws Exception {
        Path pid = dir.resolve("pid.txt");
        Path slow = script("slow.sh", "echo $$ > " + pid + "\nexec sleep 60");
        OpenCvImageEngine engine = engineWith(Map.of("slow", slow));
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                engine.render(null, RecipeString.parse("command slow"), List.of());
            } catch (RuntimeException e) {
                thrown.set(e);
            }
        });
        worker.start();
        Await.until("the command to start", Duration.ofSeconds(30), () -> Files.exists(pid) && !Files.readString(pid).isBlank());
        worker.interrupt();
        worker.join(10_000);
        // not an ImageException (that would fail the job for good): the worker retries it
        assertTrue(thrown.get() instanceof IllegalStateException && thrown.get().getMessage().contains("interrupted"), String.valueOf(thrown.get()));
        long command = Long.parseLong(Files.readString(pid).strip());
        assertTrue(ProcessHandle.of(command).map(p -> p.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join()).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void theCommandTableIsReadAsNameEqualsPathListsAndBadEntriesAreNamed() {
        assertEquals(Map.of("denoise", Path.of("/opt/job/denoise.sh"), "detect", Path.of("/opt/job/detect.py")),
                EngineConfig.parseCommands("denoise=/opt/job/denoise.sh, detect=/opt/job/detect.py"));
        assertEquals(Map.of(), EngineConfig.parseCommands(" "));
        assertEquals(Map.of("a", Path.of("job/a.sh").toAbsolutePath(), "b", Path.of("magick")), EngineConfig.parseCommands("a=./job/a.sh,b=magick"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineConfig.parseCommands("denoise=/a,/opt/job/detect.py"));
        assertTrue(e.getMessage().contains("'/opt/job/detect.py' is not a command"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EngineConfig.parseCommands("a=/x,a=/y"));
    }

    @Test
    void onlyConfiguredCommandsRun() {
        ImageException e = assertThrows(ImageException.class, () -> engineWith(Map.of())
                .render(anImage(10, 10).png(), RecipeString.parse("command rm | png"), List.of()));
        assertTrue(e.getMessage().contains("no command named 'rm' is configured"), e.getMessage());
    }

    @Test
    void anArgsOnlyJobCanMakeItsImageWithACommand() throws IOException {
        Path source = dir.resolve("made.png");
        Files.write(source, anImage(30, 10).filled(RED).png());
        Path make = script("make.sh", "[ \"$1\" = - ] && cp " + source + " \"$2\"");
        List<Rendition> out = engineWith(Map.of("make", make)).render(null, RecipeString.parse("command make | png"), List.of());
        assertEquals(30, decode(out.get(0).bytes()).cols());
        ImageException e = assertThrows(ImageException.class,
                () -> engineWith(Map.of()).render(null, RecipeString.parse("png"), List.of()));
        assertTrue(e.getMessage().contains("no input image"), e.getMessage());
    }

    @Test
    void aServiceLoaderPluginRunsByNameWithParamsAndArgs() {
        OpenCvImageEngine engine = new OpenCvImageEngine();
        byte[] png = anImage(40, 20).filled(RED).png();
        Mat all = decode(engine.render(png, RecipeString.parse("custom invert | png"), List.of()).get(0).bytes());
        assertTrue(near(rgbAt(all, 5, 5), new int[] {0, 255, 255}, 0), "red inverted is cyan");
        Mat half = decode(engine.render(png, RecipeString.parse("custom invert mode=keep-left | png"), List.of()).get(0).bytes());
        assertTrue(near(rgbAt(half, 5, 5), RED, 0));
        assertTrue(near(rgbAt(half, 35, 5), new int[] {0, 255, 255}, 0));
        ImageException e = assertThrows(ImageException.class,
                () -> engine.render(png, RecipeString.parse("custom invert | png"), List.of("fail")));
        assertEquals("invert was asked to fail by the job's args", e.getMessage());
    }

    @Test
    void anUnknownPluginNamesTheInstalledOnes() {
        ImageException e = assertThrows(ImageException.class, () -> new OpenCvImageEngine()
                .render(anImage(10, 10).png(), RecipeString.parse("custom sepia | png"), List.of()));
        assertTrue(e.getMessage().contains("no custom filter named 'sepia'") && e.getMessage().contains("invert"),
                e.getMessage());
    }
}
