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
