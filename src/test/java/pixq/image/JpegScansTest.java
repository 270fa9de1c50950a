package pixq.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.MissingTool;
import pixq.recipe.RecipeString;

/**
 * A progressive JPEG cut to the scans a 1/8 decode reads decodes to the very pixels of the whole file, for every
 * chroma subsampling libjpeg handles differently at that scale, and anything else is left as it is. Fixtures come
 * from ImageMagick (libjpeg's own progressive script: DC first, then AC bands and refinements per component).
 */
@Timeout(120)
class JpegScansTest {
    /** ImageMagick's -sampling-factor for each subsampling. */
    private static final Map<String, String> SAMPLINGS = new LinkedHashMap<>();
    private static final Map<String, byte[]> PROGRESSIVE = new LinkedHashMap<>();
    private static byte[] baseline;

    static {
        SAMPLINGS.put("4:2:0", "2x2");
        SAMPLINGS.put("4:2:2", "2x1");
        SAMPLINGS.put("4:4:0", "1x2");
        SAMPLINGS.put("4:4:4", "1x1");
        SAMPLINGS.put("4:1:1", "4x1");
    }

    @BeforeAll
    static void fixtures(@TempDir Path dir) throws Exception {
        if (!NativeImage.loaded()) {
            MissingTool.skipOrFail("the cut files are read by pixq's libjpeg: " + NativeImage.describe()
                    + " (install gcc and libjpeg-dev, as .ci/run does, then mvn compile)");
        }
        for (Map.Entry<String, String> s : SAMPLINGS.entrySet()) {
            String name = "p" + s.getValue() + ".jpg";
            ExternalTools.magick(dir, "-seed", "3", "-size", "1203x771", "plasma:fractal", "-quality", "90",
                    "-sampling-factor", s.getValue(), "-interlace", "JPEG", name);
            PROGRESSIVE.put(s.getKey(), Files.readAllBytes(dir.resolve(name)));
        }
        ExternalTools.magick(dir, "-seed", "4", "-size", "1001x667", "plasma:fractal", "-colorspace", "Gray",
                "-quality", "85", "-interlace", "JPEG", "gray.jpg");
        PROGRESSIVE.put("gray", Files.readAllBytes(dir.resolve("gray.jpg")));
        ExternalTools.magick(dir, "-seed", "5", "-size", "1001x667", "plasma:fractal", "-quality", "88", "baseline.jpg");
        baseline = Files.readAllBytes(dir.resolve("baseline.jpg"));
    }

    private static byte[] pixels(Mat m) {
        byte[] b = new byte[(int) (m.total() * m.channels())];
        m.data().get(b);
        return b;
    }

    @Test
    void theCutFileDecodesAtOneEighthToTheWholeFilesPixels() {
        for (Map.Entry<String, byte[]> p : PROGRESSIVE.entrySet()) {
            byte[] file = p.getValue();
            byte[] cut = JpegScans.forEighthScale(file);
            assertTrue(cut.length < file.length * 0.8, p.getKey() + ": scans left out, " + cut.length + " of " + file.length + " bytes");
            JpegRows rows = JpegRows.open(cut, 8, () -> { });
            assertNotNull(rows, p.getKey() + ": libjpeg starts the cut file");
            try (Mat whole = Decoder.decode(file, ImageHeader.read(file), 8); Mat fromCut = rows.whole()) {
                assertEquals(List.of(whole.cols(), whole.rows(), whole.channels()),
                        List.of(fromCut.cols(), fromCut.rows(), fromCut.channels()), p.getKey());
                assertArrayEquals(pixels(whole), pixels(fromCut), p.getKey() + ": the pixels OpenCV decodes from the whole file");
            }
        }
    }

    @Test
    void onlyTheAcScansOfComponentsTakenFromTheirDcAreLeftOut() {
        // 4:2:0 chroma goes through a 2×2 DCT at 1/8, so its AC scans stay; 4:2:2 chroma, like luma, through a 1×1 one
        byte[] subsampled = PROGRESSIVE.get("4:2:0");
        byte[] sideBySide = PROGRESSIVE.get("4:2:2");
        double keptSubsampled = JpegScans.forEighthScale(subsampled).length / (double) subsampled.length;
        double keptSideBySide = JpegScans.forEighthScale(sideBySide).length / (double) sideBySide.length;
        assertTrue(keptSubsampled > keptSideBySide + 0.05, "4:2:0 keeps its chroma's AC scans: "
                + keptSubsampled + " of the file against " + keptSideBySide);
    }

    @Test
    void filesItDoesNotExpectAreLeftAsTheyAre() {
        byte[] progressive = PROGRESSIVE.get("4:2:0");
        assertSame(baseline, JpegScans.forEighthScale(baseline), "a baseline file has no scans to leave out");
        byte[] truncated = Arrays.copyOf(progressive, progressive.length * 2 / 3);
        assertSame(truncated, JpegScans.forEighthScale(truncated), "a file cut short: the decoder says what it lacks");
        byte[] noEnd = Arrays.copyOf(progressive, progressive.length - 2);
        assertSame(noEnd, JpegScans.forEighthScale(noEnd), "no EOI marker");
        byte[] tiny = Arrays.copyOf(progressive, 40);
        assertSame(tiny, JpegScans.forEighthScale(tiny), "a header cut short");
        int firstScanData = ImageHeader.read(progressive).dataStart();
        int sos = firstScanData - 2;
        while ((progressive[sos] & 0xFF) != 0xFF || (progressive[sos + 1] & 0xFF) != 0xDA) {
            sos--;
        }
        byte[] lying = Arrays.copyOf(progressive, firstScanData);
        lying[sos + 4] = (byte) 0xFF;
        assertSame(lying, JpegScans.forEighthScale(lying), "a scan header claiming 255 components, at the file's end");
    }

    @Test
    void aDamagedHeaderNeverMakesItFailOnlyLeavesTheFileAsItIs() {
        // every byte of the headers and first scan, set to 0x00, 0xFF and 0x07 in turn: a scan header claiming more
        // components than it holds, a length past the end, a marker where data was...
        byte[] file = PROGRESSIVE.get("4:2:0");
        int firstScanData = ImageHeader.read(file).dataStart();
        for (int at = 2; at < firstScanData + 64; at++) {
            for (byte value : new byte[] {0x00, (byte) 0xFF, 0x07}) {
                byte[] damaged = file.clone();
                damaged[at] = value;
                byte[] cut = JpegScans.forEighthScale(damaged);
                assertTrue(cut == damaged || cut.length < damaged.length, "byte " + at + " set to " + value);
            }
        }
    }

    @Test
    void aThumbnailOfAProgressivePhotoIsTheThumbnailOfTheSameCoefficientsStoredSequentially(@TempDir Path dir) throws Exception {
        // jpegtran rewrites the file as one sequential scan without decoding it: the same coefficients, which the
        // engine decodes whole through OpenCV, while the progressive file is cut and read by pixq's libjpeg
        Files.write(dir.resolve("progressive.jpg"), PROGRESSIVE.get("4:2:0"));
        ExternalTools.tool(dir, "/usr/bin/jpegtran", "libjpeg-turbo-progs", "-copy", "all", "-outfile", "sequential.jpg", "progressive.jpg");
        byte[] sequential = Files.readAllBytes(dir.resolve("sequential.jpg"));
        assertSame(sequential, JpegScans.forEighthScale(sequential), "the sequential file is decoded as it is");
        OpenCvImageEngine engine = new OpenCvImageEngine();
        for (String fit : List.of("fit 64x64", "fit 120x90 cover")) { // 1203x771 decodes at 1/8 for both
            byte[] fromCut = engine.render(PROGRESSIVE.get("4:2:0"), RecipeString.parse(fit + " | png"), List.of()).get(0).bytes();
            byte[] fromSequential = engine.render(sequential, RecipeString.parse(fit + " | png"), List.of()).get(0).bytes();
            try (Mat a = Images.decode(fromCut); Mat b = Images.decode(fromSequential)) {
                assertEquals(List.of(b.cols(), b.rows()), List.of(a.cols(), a.rows()), fit);
                assertArrayEquals(pixels(b), pixels(a), fit);
            }
        }
    }
}
