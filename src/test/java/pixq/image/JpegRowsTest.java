package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.MissingTool;
import pixq.recipe.RecipeString;

/**
 * JPEG rows streamed from libjpeg into the filter give the pixels OpenCV's whole decode gives, and the stream gives
 * its memory back however the job ends. Fixtures come from ImageMagick: photo-like noise at odd sizes, baseline 4:2:0,
 * progressive 4:2:2 and gray.
 */
@Timeout(120)
class JpegRowsTest {
    private static final long MB = 1024 * 1024;
    private static byte[] baseline;
    private static byte[] progressive;
    private static byte[] gray;

    @BeforeAll
    static void fixtures(@TempDir Path dir) throws Exception {
        if (!NativeImage.loaded()) {
            MissingTool.skipOrFail("JPEG rows cannot stream: " + NativeImage.describe()
                    + " (install gcc and libjpeg-dev, as .ci/run does, then mvn compile)");
        }
        ExternalTools.magick(dir, "-seed", "5", "-size", "1001x667", "plasma:fractal", "-blur", "0x1",
                "-quality", "88", "-sampling-factor", "2x2", "baseline.jpg");
        ExternalTools.magick(dir, "-seed", "6", "-size", "771x1203", "plasma:fractal", "-quality", "90",
                "-sampling-factor", "2x1", "-interlace", "JPEG", "progressive.jpg");
        ExternalTools.magick(dir, "-seed", "7", "-size", "640x481", "plasma:fractal", "-colorspace", "Gray",
                "-quality", "85", "gray.jpg");
        baseline = Files.readAllBytes(dir.resolve("baseline.jpg"));
        progressive = Files.readAllBytes(dir.resolve("progressive.jpg"));
        gray = Files.readAllBytes(dir.resolve("gray.jpg"));
    }

    private static JpegRows open(byte[] jpeg, int reduce) {
        JpegRows rows = JpegRows.open(jpeg, reduce, () -> { });
        assertNotNull(rows, "libjpeg started the file");
        return rows;
    }

    private static byte[] pixels(Mat m) {
        byte[] b = new byte[(int) (m.total() * m.channels())];
        m.data().get(b);
        return b;
    }

    /** Every row of the stream as the filter reads it, {@link Lanczos#BAND} rows a call, back to bytes. */
    private static byte[] asBytes(JpegRows rows) {
        int width = rows.cols() * rows.channels();
        byte[] b = new byte[rows.rows() * width];
        for (int from = 0; from < rows.rows(); from += Lanczos.BAND) {
            int n = Math.min(Lanczos.BAND, rows.rows() - from);
            System.arraycopy(read(rows, from, n), 0, b, from * width, n * width);
        }
        return b;
    }

    /** The stream's rows {@code from} to {@code from + n - 1} through native memory, as the filter reads them. */
    private static byte[] read(JpegRows rows, int from, int n) {
        int width = rows.cols() * rows.channels();
        try (Mat band = new Mat(n, width, CV_8UC(1))) {
            long[] addresses = new long[n];
            for (int i = 0; i < n; i++) {
                addresses[i] = band.data().address() + (long) i * width;
            }
            rows.read(from, n, addresses);
            return pixels(band);
        }
    }

    @Test
    void streamedRowsAreTheWholeDecodesPixelsAtEveryDctScale() {
        for (byte[] jpeg : List.of(baseline, progressive, gray)) {
            ImageHeader header = ImageHeader.read(jpeg);
            for (int reduce : new int[] {1, 2, 4, 8}) {
                try (Mat whole = Decoder.decode(jpeg, header, reduce); JpegRows rows = open(jpeg, reduce); Mat streamed = rows.whole();
                     JpegRows floats = open(jpeg, reduce)) {
                    String what = header.width() + "x" + header.height() + " at 1/" + reduce;
                    assertEquals(List.of(whole.cols(), whole.rows(), whole.channels()),
                            List.of(streamed.cols(), streamed.rows(), streamed.channels()), what);
                    assertArrayEquals(pixels(whole), pixels(streamed), what);
                    // and as the filter reads them: floats, a band at a time
                    assertArrayEquals(pixels(whole), asBytes(floats), what + ", as floats");
                }
            }
        }
    }

    @Test
    void theFilterReadingRowsAsTheyDecodeMakesTheSameImageAsFromTheWholeDecode() {
        for (byte[] jpeg : List.of(baseline, progressive, gray)) {
            ImageHeader header = ImageHeader.read(jpeg);
            for (int reduce : new int[] {1, 2}) {
                try (Mat whole = Decoder.decode(jpeg, header, reduce); JpegRows rows = open(jpeg, reduce)) {
                    // a window that leaves out part of the first rows, as after a shrunk decode whose origin is at the bottom
                    Lanczos.Window window = new Lanczos.Window(0.5, 2.75, whole.cols() - 0.5, whole.rows() - 2.75);
                    try (Mat expected = Lanczos.resize(whole, window, 97, 61); Mat actual = Lanczos.resize(rows, window, 97, 61)) {
                        assertArrayEquals(pixels(expected), pixels(actual), header.width() + "x" + header.height() + " at 1/" + reduce);
                    }
                }
            }
        }
    }

    @Test
    void aTurnedPhotoShrunkAsStoredThenTurnedMatchesThePhotoTurnedWholeThenShrunk() {
        OpenCvImageEngine engine = new OpenCvImageEngine();
        for (int orientation = 1; orientation <= 8; orientation++) {
            byte[] jpeg = Images.withOrientation(baseline, orientation);
            // 200: a decode shrunk by 2 (its last block row and column partial); 400x300 cover: at full size, cropped
            for (String fit : List.of("fit 200x200", "fit 400x300 cover")) {
                String what = fit + ", orientation " + orientation;
                byte[] streamed = engine.render(jpeg, RecipeString.parse("orient | " + fit + " | png"), List.of()).get(0).bytes();
                // a turn there and back needs the pixels whole, so the same orient and fit run on a whole decode
                byte[] whole = engine.render(jpeg, RecipeString.parse("rotate 90 | rotate 270 | orient | " + fit + " | png"), List.of()).get(0).bytes();
                try (Mat a = Images.decode(streamed); Mat b = Images.decode(whole)) {
                    assertEquals(List.of(b.cols(), b.rows()), List.of(a.cols(), a.rows()), what);
                    byte[] pa = pixels(a);
                    byte[] pb = pixels(b);
                    int worst = 0;
                    for (int i = 0; i < pa.length; i++) {
                        worst = Math.max(worst, Math.abs((pa[i] & 0xFF) - (pb[i] & 0xFF)));
                    }
                    assertTrue(worst <= 1, what + ": off by " + worst + " (the two orders of the filter's sums may round apart by 1)");
                }
            }
        }
    }

    @Test
    void rowsAskedForOutOfOrderAreRefusedRatherThanMadeUp() {
        try (JpegRows rows = open(baseline, 1); Mat whole = Decoder.decode(baseline, ImageHeader.read(baseline), 1)) {
            int width = rows.cols() * rows.channels();
            byte[] band = read(rows, 20, 16); // rows 0-19 are read and dropped
            byte[] row20 = Arrays.copyOfRange(pixels(whole), 20 * width, 21 * width);
            assertArrayEquals(row20, Arrays.copyOf(band, width), "row 20");
            assertThrows(IllegalStateException.class, () -> read(rows, 0, 16));
            assertThrows(IllegalStateException.class, () -> read(rows, rows.rows() - 4, 16), "past the last row");
        }
    }

    @Test
    void aFileLibjpegCannotStartIsLeftToTheWholeDecodeAndItsLeaseReturned() {
        boolean[] returned = {false};
        byte[] notJpeg = "\u00ff\u00d8\u00ff and then nothing a decoder can read".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(null, JpegRows.open(notJpeg, 1, () -> returned[0] = true));
        assertTrue(returned[0], "the decode budget's lease was returned");
    }

    @Test
    void aStreamedDecodeGivesBackItsShareOfTheDecodeBudgetWhetherTheJobSucceedsOrFails() {
        assertTrue(ImageHeader.read(progressive).coefficientBytes() > 2 * MB, "the fixture holds its coefficients");
        // the budget is 1 MB, so a share never given back would make the next decode wait forever
        OpenCvImageEngine engine = new OpenCvImageEngine(EngineConfig.defaults().withDecodeMemory(MB));
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 3; i++) {
                assertEquals(1, engine.render(progressive, RecipeString.parse("orient | fit 400x400 | jpeg 80"), List.of()).size());
                // refused by the pixel limit before the resize reads a row: the stream is closed unread
                ImageException e = assertThrows(ImageException.class,
                        () -> engine.render(progressive, RecipeString.parse("fit 30000x30000 fill upscale | jpeg"), List.of()));
                assertTrue(e.getMessage().contains("limit on pixels"), e.getMessage());
            }
        });
    }
}
