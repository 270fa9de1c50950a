package pixq.image;

import pixq.job.MissingTool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * The independent tools fixtures are made and outputs are read with (ImageMagick, exiftool, Debian's Pillow),
 * so a test never checks pixq against itself. A missing tool fails the test under CI=true and skips it
 * elsewhere, saying which Debian package brings it.
 */
final class ExternalTools {
    static final Path PROFILES = Path.of("/usr/share/color/icc/ghostscript");

    private ExternalTools() {}

    static void require(String path, String debianPackage) {
        if (Files.exists(Path.of(path))) {
            return;
        }
        MissingTool.skipOrFail(path + " is missing: install Debian's " + debianPackage + " (.ci/run does)");
    }

    /** ImageMagick's convert (the real one: /usr/local/bin/convert may be a stand-in). */
    static void magick(Path dir, String... args) {
        require("/usr/bin/convert", "imagemagick");
        run(dir, prepend("/usr/bin/convert", args));
    }

    /** exiftool's output for the file (-s -s -s: values only, one per line, in the order asked). */
    static String exiftool(Path dir, String... args) {
        require("/usr/bin/exiftool", "libimage-exiftool-perl");
        return run(dir, prepend("/usr/bin/exiftool", args));
    }

    /** A tool of a Debian package (heif-enc of libheif-examples, avifenc of libavif-bin...), run in dir. */
    static String tool(Path dir, String path, String debianPackage, String... args) {
        require(path, debianPackage);
        return run(dir, prepend(path, args));
    }

    static void python(Path dir, String code) {
        require("/usr/bin/python3", "python3-pil");
        run(dir, "/usr/bin/python3", "-c", code);
    }

    static BufferedImage read(byte[] bytes) {
        try {
            return ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** R, G, B of a pixel as ImageIO (not pixq) reads it. */
    static int[] rgb(BufferedImage img, int x, int y) {
        int p = img.getRGB(x, y);
        return new int[] {p >> 16 & 0xFF, p >> 8 & 0xFF, p & 0xFF};
    }

    static void assertClose(int[] expected, int[] actual, int tolerance, String what) {
        for (int i = 0; i < 3; i++) {
            if (Math.abs(expected[i] - actual[i]) > tolerance) {
                assertEquals(List.of(expected[0], expected[1], expected[2]), List.of(actual[0], actual[1], actual[2]),
                        what + ": off by more than " + tolerance);
            }
        }
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static String run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
