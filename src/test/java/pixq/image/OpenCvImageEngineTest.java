package pixq.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.image.Images.BLUE;
import static pixq.image.Images.GREEN;
import static pixq.image.Images.RED;
import static pixq.image.Images.YELLOW;
import static pixq.image.Images.anImage;
import static pixq.image.Images.decode;
import static pixq.image.Images.near;
import static pixq.image.Images.rgbAt;

import java.util.Arrays;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pixq.recipe.Operation;
import pixq.recipe.Operation.Crop;
import pixq.recipe.Operation.Fit;
import pixq.recipe.Operation.Resize;
import pixq.recipe.Output;
import pixq.recipe.Recipe;
import pixq.recipe.RecipeString;
import pixq.recipe.Recipes;

class OpenCvImageEngineTest {
    private final OpenCvImageEngine engine = new OpenCvImageEngine();

    static Recipe recipe(String text) {
        return RecipeString.parse(text);
    }

    private Mat renderOne(byte[] input, String recipe) {
        List<Rendition> out = engine.render(input, recipe(recipe), List.of());
        assertEquals(1, out.size());
        return decode(out.get(0).bytes());
    }

    private static void assertColor(Mat m, int x, int y, int[] rgb) {
        int[] actual = rgbAt(m, x, y);
        assertTrue(near(actual, rgb, 12), "pixel " + x + "," + y + " is " + Arrays.toString(actual)
                + ", expected about " + Arrays.toString(rgb));
    }

    /** Checks the four quadrant colours of an upright 40×20-shaped result. */
    private static void assertUpright(Mat m) {
        int w = m.cols();
        int h = m.rows();
        assertColor(m, w / 4, h / 4, RED);
        assertColor(m, 3 * w / 4, h / 4, GREEN);
        assertColor(m, w / 4, 3 * h / 4, BLUE);
        assertColor(m, 3 * w / 4, 3 * h / 4, YELLOW);
    }

    // ---- orientation

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void orientTurnsEveryExifOrientationUpright(int orientation) {
        // given an upright 80×40 picture stored as a camera would for this orientation
        Mat upright = anImage(80, 40).quadrants().mat();
        Mat stored = Transforms.orient(upright, inverse(orientation));
        byte[] jpeg = Images.withOrientation(Images.of(stored).jpeg(), orientation);
        // when oriented
        Mat out = renderOne(jpeg, "orient | png");
        // then it is upright again
        assertEquals(80, out.cols());
        assertEquals(40, out.rows());
        assertUpright(out);
    }

    private static int inverse(int orientation) {
        return orientation == 6 ? 8 : orientation == 8 ? 6 : orientation;
    }

    @Test
    void withoutOrientTheStoredPixelsAreKept() {
        byte[] jpeg = Images.withOrientation(anImage(80, 40).quadrants().jpeg(), 6);
        Mat out = renderOne(jpeg, "png");
        assertEquals(80, out.cols());
        assertUpright(out);
    }

    // ---- resize and fit modes

    @Test
    void fitInsideKeepsAspectAndHitsTheBoxExactly() {
        Mat out = renderOne(anImage(1000, 600).quadrants().jpeg(), "fit 300x300 | png");
        assertEquals(300, out.cols());
        assertEquals(180, out.rows());
        assertUpright(out);
    }

    @Test
    void fitNeverUpscalesUnlessAsked() {
        byte[] small = anImage(100, 50).quadrants().png();
        assertEquals(100, renderOne(small, "fit 400 | png").cols());
        Mat up = renderOne(small, "fit 400 upscale | png");
        assertEquals(400, up.cols());
        assertEquals(200, up.rows());
    }

    @Test
    void coverFillsTheBoxAndCropsTheOverflowAtTheCentre() {
        Mat out = renderOne(anImage(400, 200).quadrants().png(), "fit 100x100 cover | png");
        assertEquals(100, out.cols());
        assertEquals(100, out.rows());
        assertColor(out, 10, 10, RED);
        assertColor(out, 90, 90, YELLOW);
    }

    @Test
    void containPadsWithTheBackgroundColour() {
        Mat out = renderOne(anImage(400, 200).filled(RED).png(), "fit 100x100 contain #0000ff | png");
        assertEquals(100, out.cols());
        assertEquals(100, out.rows());
        assertColor(out, 50, 5, BLUE); // padding above
        assertColor(out, 50, 50, RED); // the image in the middle
        assertColor(out, 50, 95, BLUE);
    }

    @Test
    void containWithATransparentBackgroundAddsAlpha() {
        Mat out = renderOne(anImage(400, 200).filled(RED).jpeg(), "fit 100x100 contain transparent | png");
        assertEquals(4, out.channels());
        assertEquals(0, rgbAt(out, 50, 5)[3]);
        assertEquals(255, rgbAt(out, 50, 50)[3]);
    }

    @Test
    void fillStretchesToTheBox() {
        Mat out = renderOne(anImage(400, 200).quadrants().png(), "fit 50x100 fill | png");
        assertEquals(50, out.cols());
        assertEquals(100, out.rows());
        assertUpright(out);
    }

    @Test
    void widthOnlyResizeLeavesTheHeightFree() {
        Mat out = renderOne(anImage(400, 200).png(), "fit 100x | png");
        assertEquals(100, out.cols());
        assertEquals(50, out.rows());
    }

    // ---- shrink-on-load

    @Test
    void shrinkOnLoadKeepsTheOutputSizeExact() {
        // 2000×1000 to fit 300: the decoder may shrink by 2 (1000×500 ≥ 2 × 300×150); the output must still be 300×150
        byte[] jpeg = anImage(2000, 1000).quadrants().jpeg(90);
        assertEquals(2, ShrinkPlan.reduceFactor(2000, 1000, 1, recipe("fit 300 | jpeg").steps(), List.of()));
        Mat out = renderOne(jpeg, "orient | fit 300 | png");
        assertEquals(300, out.cols());
        assertEquals(150, out.rows());
        assertUpright(out);
    }

    @Test
    void shrinkOnLoadWorksWithARotatedExifOrientation() {
        // stored 2000×1000 with orientation 6: upright 1000×2000; fit 500×500 gives 250×500
        Mat upright = anImage(1000, 2000).quadrants().mat();
        byte[] jpeg = Images.withOrientation(Images.of(Transforms.orient(upright, 8)).jpeg(90), 6);
        Mat out = renderOne(jpeg, "orient | fit 500x500 | png");
        assertEquals(250, out.cols());
        assertEquals(500, out.rows());
        assertUpright(out);
    }

    @Test
    void webRecipeWritesThreeSizesFromOneDecode() {
        byte[] jpeg = anImage(3200, 2000).quadrants().jpeg(80);
        List<Rendition> out = engine.render(jpeg, Recipes.WEB, List.of());
        assertEquals(List.of("-1600.jpg", "-800.jpg", "-320.jpg"), out.stream().map(Rendition::suffix).toList());
        int[] widths = out.stream().mapToInt(r -> decode(r.bytes()).cols()).toArray();
        assertArrayEquals(new int[] {1600, 800, 320}, widths);
        assertEquals(200, decode(out.get(2).bytes()).rows());
        assertEquals("image/jpeg", out.get(0).contentType());
    }

    @Test
    void thumbnailRecipeWritesAThumbSuffix() {
        List<Rendition> out = engine.render(anImage(600, 300).jpeg(), Recipes.THUMBNAIL, List.of());
        assertEquals("-thumb.jpg", out.get(0).suffix());
        Mat m = decode(out.get(0).bytes());
        assertEquals(256, m.cols());
        assertEquals(128, m.rows());
    }

    @Test
    void outputStepsDoNotLeakIntoOtherOutputs() {
        byte[] png = anImage(80, 40).quadrants().png();
        List<Rendition> out = engine.render(png, recipe("png -a ; flop > png -b"), List.of());
        // tap semantics: -b is flopped, -a is as it was
        assertUpright(decode(out.get(0).bytes()));
        assertColor(decode(out.get(1).bytes()), 10, 10, GREEN);
    }

    // ---- other operations

    @Test
    void cropBoxCutsTheWindow() {
        Mat out = renderOne(anImage(80, 40).quadrants().png(), "crop 30x10+45+25 | png");
        assertEquals(30, out.cols());
        assertEquals(10, out.rows());
        assertColor(out, 15, 5, YELLOW);
    }

    @Test
    void cropWithGravityPlacesTheWindow() {
        Mat out = renderOne(anImage(80, 40).quadrants().png(), "crop 20x10 northeast | png");
        assertEquals(20, out.cols());
        assertColor(out, 10, 5, GREEN);
    }

    @Test
    void cropOutsideTheImageIsARefusal() {
        ImageException e = assertThrows(ImageException.class,
                () -> renderOne(anImage(80, 40).png(), "crop 10x10+100+0 | png"));
        assertTrue(e.getMessage().contains("outside the 80×40 image"), e.getMessage());
    }

    @Test
    void rotateFlipAndFlopMovePixels() {
        byte[] png = anImage(80, 40).quadrants().png();
        Mat r90 = renderOne(png, "rotate 90 | png");
        assertEquals(40, r90.cols());
        assertEquals(80, r90.rows());
        assertColor(r90, 30, 10, RED); // top-left moved to top-right
        assertColor(renderOne(png, "rotate 180 | png"), 10, 10, YELLOW);
        assertColor(renderOne(png, "rotate 270 | png"), 10, 70, RED);
        assertColor(renderOne(png, "flip | png"), 10, 10, BLUE);
        assertColor(renderOne(png, "flop | png"), 10, 10, GREEN);
    }

    @Test
    void grayscaleRemovesColour() {
        Mat out = renderOne(anImage(80, 40).quadrants().png(), "grayscale | png");
        assertEquals(1, out.channels());
        int[] red = rgbAt(out, 10, 10);
        assertTrue(red[0] > 60 && red[0] < 90, "red becomes gray ~76: " + red[0]);
    }

    @Test
    void blurSoftensAnEdgeAndSharpenSteepensIt() {
        byte[] png = anImage(40, 20).filled(new int[] {0, 0, 0}).fill(20, 0, 20, 20, new int[] {200, 200, 200}).png();
        Mat blurred = renderOne(png, "blur 3 | png");
        int edgeLeft = rgbAt(blurred, 19, 10)[0];
        assertTrue(edgeLeft > 40 && edgeLeft < 160, "blurred edge pixel: " + edgeLeft);
        Mat soft = renderOne(png, "blur 2 | png");
        Mat sharp = renderOne(png, "blur 2 | sharpen 2 2 | png");
        int softStep = rgbAt(soft, 21, 10)[0] - rgbAt(soft, 18, 10)[0];
        int sharpStep = rgbAt(sharp, 21, 10)[0] - rgbAt(sharp, 18, 10)[0];
        assertTrue(sharpStep > softStep, "sharpen steepens the edge: " + softStep + " -> " + sharpStep);
    }

    @Test
    void textWatermarkLightensItsCorner() {
        byte[] png = anImage(400, 200).filled(new int[] {0, 0, 0}).png();
        Mat out = renderOne(png, "watermark \"pixq test\" southeast opacity=1 scale=0.1 | png");
        assertTrue(maxValue(out, 200, 150, 200, 50) > 150, "text drawn in the south-east corner");
        assertEquals(0, maxValue(out, 0, 0, 200, 100), "north-west untouched");
    }

    @Test
    void imageWatermarkIsReadThroughTheResourceReaderAndBlended() {
        byte[] mark = anImage(20, 20).filled(RED).png();
        OpenCvImageEngine withMark = new OpenCvImageEngine(EngineConfig.defaults()
                .withResources(uri -> uri.equals("mem:logo") ? mark : null));
        byte[] png = anImage(200, 100).filled(new int[] {0, 0, 255}).png();
        List<Rendition> out = withMark.render(png, recipe("watermark @mem:logo northwest opacity=0.5 scale=0.2 | png"), List.of());
        Mat m = decode(out.get(0).bytes());
        assertColor(m, 10, 10, new int[] {128, 0, 128}); // half red over blue
        assertColor(m, 150, 80, BLUE);
    }

    private static int maxValue(Mat m, int x0, int y0, int w, int h) {
        int max = 0;
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                max = Math.max(max, rgbAt(m, x, y)[0]);
            }
        }
        return max;
    }

    // ---- formats in

    @Test
    void grayJpegStaysGray() {
        Mat out = renderOne(anImage(64, 32).filled(new int[] {90, 90, 90}).gray().jpeg(), "fit 32 | png");
        assertColor(out, 5, 5, new int[] {90, 90, 90});
    }

    @Test
    void cmykJpegComesOutInTheRightColours() throws Exception {
        // fixture: ImageMagick "convert -size 32x16 xc:'#ff0000' xc:'#0000ff' +append -colorspace CMYK" (Adobe CMYK)
        byte[] cmyk = resource("cmyk.jpg");
        assertEquals(4, ImageHeader.read(cmyk).components());
        Mat out = renderOne(cmyk, "png");
        assertColor(out, 8, 8, RED);
        assertColor(out, 56, 8, BLUE);
    }

    @Test
    void progressiveJpegDecodesAndEncodes() {
        Mat out = renderOne(anImage(200, 100).quadrants().progressiveJpeg(), "fit 100 | jpeg 90 progressive");
        assertEquals(100, out.cols());
        assertUpright(out);
    }

    @Test
    void sixteenBitPngBecomesEightBit() {
        Mat out = renderOne(anImage(40, 20).quadrants().sixteenBit().png(), "png");
        assertEquals(org.bytedeco.opencv.global.opencv_core.CV_8U, out.depth());
        assertUpright(out);
    }

    @Test
    void palettePngGifBmpTiffAndWebpAreRead() {
        Images img = anImage(40, 20).quadrants();
        for (byte[] input : List.of(img.palettePng(), img.gif(), img.bmp(), img.tiff(), img.webp())) {
            Mat out = renderOne(input, "png");
            assertEquals(40, out.cols());
            assertUpright(out);
        }
    }

    @Test
    void alphaIsKeptForPngAndWebpAndFlattenedOntoWhiteForJpeg() {
        byte[] rgba = anImage(40, 20).filled(RED).halfTransparent().png();
        Mat png = renderOne(rgba, "png");
        assertEquals(4, png.channels());
        assertEquals(0, rgbAt(png, 30, 10)[3]);
        Mat webp = renderOne(rgba, "webp 101");
        assertEquals(4, webp.channels());
        assertEquals(0, rgbAt(webp, 30, 10)[3]);
        Mat jpeg = renderOne(rgba, "jpeg 95");
        assertEquals(3, jpeg.channels());
        assertColor(jpeg, 5, 10, RED);
        assertColor(jpeg, 35, 10, new int[] {255, 255, 255});
    }

    @Test
    void outputsHaveTheirFormatsAndContentTypes() {
        List<Rendition> out = engine.render(anImage(40, 20).png(), recipe("jpeg -a ; png -b ; webp -c"), List.of());
        assertEquals(List.of("-a.jpg", "-b.png", "-c.webp"), out.stream().map(Rendition::suffix).toList());
        assertEquals(List.of("image/jpeg", "image/png", "image/webp"), out.stream().map(Rendition::contentType).toList());
        assertEquals(ImageHeader.Format.JPEG, ImageHeader.read(out.get(0).bytes()).format());
        assertEquals(ImageHeader.Format.PNG, ImageHeader.read(out.get(1).bytes()).format());
        assertEquals(ImageHeader.Format.WEBP, ImageHeader.read(out.get(2).bytes()).format());
    }

    @Test
    void higherJpegQualityMeansMoreBytes() {
        byte[] input = anImage(200, 100).quadrants().fill(50, 20, 30, 30, new int[] {10, 200, 90}).png();
        Recipe r = recipe("blur 1 | jpeg 30 -low ; jpeg 95 -high");
        List<Rendition> out = engine.render(input, r, List.of());
        assertTrue(out.get(0).bytes().length < out.get(1).bytes().length);
    }

    @Test
    void sameBytesAndRecipeGiveIdenticalOutput() {
        byte[] jpeg = anImage(900, 600).quadrants().jpeg();
        List<Rendition> a = engine.render(jpeg, Recipes.WEB, List.of());
        List<Rendition> b = engine.render(jpeg, Recipes.WEB, List.of());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).bytes(), b.get(i).bytes());
        }
    }

    // ---- meta

    @Test
    void metaRecipeReportsSizeAndEssentialExif() {
        byte[] jpeg = Images.withExif(anImage(64, 32).jpeg(), new Images.Exif().orientation(6)
                .camera("Pixq", "Test Cam 1").taken("2024:05:06 07:08:09").gps(48.8584, -2.2945));
        List<Rendition> out = engine.render(jpeg, Recipes.META, List.of());
        assertEquals(".json", out.get(0).suffix());
        assertEquals("application/json", out.get(0).contentType());
        String json = new String(out.get(0).bytes());
        for (String expected : List.of("\"format\" : \"jpeg\"", "\"width\" : 64", "\"height\" : 32", "\"orientation\" : 6",
                "\"displayWidth\" : 32", "\"make\" : \"Pixq\"", "\"model\" : \"Test Cam 1\"",
                "\"dateTaken\" : \"2024-05-06T07:08:09\"", "\"latitude\" : 48.858", "\"longitude\" : -2.294")) {
            assertTrue(json.contains(expected), "meta JSON lacks " + expected + ":\n" + json);
        }
    }

    @Test
    void metaOnlyNeverDecodesPixels() {
        // a JPEG whose header is fine but whose pixel data is garbage: meta still works, a decode would fail
        byte[] good = anImage(64, 32).jpeg();
        byte[] broken = good.clone();
        int sos = ImageHeader.read(good).dataStart();
        Arrays.fill(broken, sos, broken.length - 2, (byte) 0x00);
        assertEquals(1, engine.render(broken, Recipes.META, List.of()).size());
    }

    // ---- bad inputs

    @Test
    void emptyInputIsRefusedWithAReason() {
        ImageException e = assertThrows(ImageException.class, () -> engine.render(new byte[0], Recipes.THUMBNAIL, List.of()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void textIsNotAnImage() {
        ImageException e = assertThrows(ImageException.class,
                () -> engine.render("<html>hello</html>".getBytes(), Recipes.THUMBNAIL, List.of()));
        assertTrue(e.getMessage().startsWith("not an image"), e.getMessage());
        assertTrue(e.getMessage().contains("0x3C"), e.getMessage());
    }

    @Test
    void truncatedJpegIsRefused() {
        byte[] jpeg = anImage(200, 100).quadrants().jpeg();
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);
        ImageException e = assertThrows(ImageException.class, () -> engine.render(cut, Recipes.THUMBNAIL, List.of()));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedPngIsRefused() {
        byte[] png = anImage(200, 100).quadrants().png();
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        assertTrue(assertThrows(ImageException.class, () -> engine.render(cut, Recipes.THUMBNAIL, List.of()))
                .getMessage().contains("truncated"));
    }

    @Test
    void corruptPixelDataIsRefused() {
        byte[] png = anImage(200, 100).quadrants().png();
        byte[] bad = png.clone();
        for (int i = 40; i < bad.length - 20; i++) {
            bad[i] = (byte) (i * 31);
        }
        ImageException e = assertThrows(ImageException.class, () -> engine.render(bad, Recipes.THUMBNAIL, List.of()));
        assertTrue(e.getMessage().contains("corrupt") || e.getMessage().contains("could not"), e.getMessage());
    }

    @Test
    void aHeaderClaimingHugeDimensionsIsRefusedBeforeDecoding() {
        // a real 100×100 PNG whose IHDR is patched to claim 100000×100000 (10 GP)
        byte[] png = anImage(100, 100).png();
        byte[] bomb = png.clone();
        writeInt(bomb, 16, 100_000);
        writeInt(bomb, 20, 100_000);
        long t0 = System.nanoTime();
        ImageException e = assertThrows(ImageException.class, () -> engine.render(bomb, Recipes.THUMBNAIL, List.of()));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains("100000×100000 = 10000 MP, over the 100 MP limit"), e.getMessage());
        assertTrue(ms < 1000, "refused without decoding, took " + ms + " ms");
    }

    @Test
    void aJpegBombIsRefusedByItsSofHeader() {
        byte[] jpeg = anImage(16, 16).jpeg();
        byte[] bomb = jpeg.clone();
        for (int i = 2; i < bomb.length - 9; i++) {
            if ((bomb[i] & 0xFF) == 0xFF && (bomb[i + 1] & 0xFF) == 0xC0) {
                bomb[i + 5] = (byte) 0xEA; // height 60000
                bomb[i + 6] = 0x60;
                bomb[i + 7] = (byte) 0xEA; // width 60000
                bomb[i + 8] = 0x60;
                break;
            }
        }
        ImageException e = assertThrows(ImageException.class, () -> engine.render(bomb, Recipes.THUMBNAIL, List.of()));
        assertTrue(e.getMessage().contains("60000×60000 = 3600 MP"), e.getMessage());
    }

    @Test
    void theByteLimitIsEnforced() {
        OpenCvImageEngine small = new OpenCvImageEngine(EngineConfig.defaults().withMaxBytes(100));
        ImageException e = assertThrows(ImageException.class,
                () -> small.render(anImage(100, 100).quadrants().png(), Recipes.THUMBNAIL, List.of()));
        assertTrue(e.getMessage().contains("over the limit of 100 bytes"), e.getMessage());
    }

    @Test
    void aBadRecipeIsAnImageException() {
        Recipe noOutputs = new Recipe("empty", List.of(new Operation.Flip()), List.of());
        ImageException e = assertThrows(ImageException.class, () -> engine.render(anImage(10, 10).png(), noOutputs, List.of()));
        assertTrue(e.getMessage().contains("has no outputs"), e.getMessage());
    }

    @Test
    void recordsBuiltInCodeWorkTheSameAsStrings() {
        Recipe r = new Recipe("r", List.of(new Resize(50, 50, Fit.COVER, false, null, null), new Crop(null, null, 10, 10, null)),
                List.of(new Output("-x", "png", null, List.of())));
        Mat out = decode(engine.render(anImage(100, 50).png(), r, List.of()).get(0).bytes());
        assertEquals(10, out.cols());
        assertEquals(10, out.rows());
    }

    static byte[] resource(String name) throws Exception {
        try (var in = OpenCvImageEngineTest.class.getResourceAsStream("/images/" + name)) {
            return in.readAllBytes();
        }
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
