package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.image.ExternalTools.PROFILES;
import static pixq.image.ExternalTools.assertClose;
import static pixq.image.ExternalTools.magick;
import static pixq.image.ExternalTools.python;
import static pixq.image.ExternalTools.read;
import static pixq.image.ExternalTools.rgb;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pixq.recipe.RecipeString;

/**
 * Colour profiles to sRGB, CMYK and YCCK JPEGs, and alpha without fringes, each checked against fixtures made
 * by ImageMagick or Pillow from colours known in advance, and outputs read back by ImageIO.
 */
class ColourAndAlphaTest {
    /** Four patches, 20 px wide each: a red, a green, a blue and a skin tone, well inside sRGB. */
    private static final int[][] PATCHES = {{200, 60, 40}, {60, 160, 80}, {40, 80, 200}, {230, 210, 180}};
    private static final String PATCH_ARGS = "xc:#c83c28 xc:#3ca050 xc:#2850c8 xc:#e6d2b4";

    private final OpenCvImageEngine engine = new OpenCvImageEngine();
    @TempDir
    Path dir;

    private BufferedImage render(Path file, String recipe) throws IOException {
        return read(engine.render(Files.readAllBytes(file), RecipeString.parse(recipe), List.of()).get(0).bytes());
    }

    private void patches(String out) {
        magick(dir, ("-size 20x20 " + PATCH_ARGS + " +append " + out).split(" "));
    }

    /** An sRGB image converted by ImageMagick into a wide-gamut space, profile embedded. */
    private Path converted(String profile, String out) {
        patches("srgb.png");
        magick(dir, "srgb.png", "-profile", PROFILES.resolve("srgb.icc").toString(),
                "-profile", PROFILES.resolve(profile).toString(), "-quality", "100", out);
        return dir.resolve(out);
    }

    @Test
    void adobeRgbJpegComesOutInSrgb() throws IOException {
        Path file = converted("a98.icc", "a98.jpg");
        assertTrue(Math.abs(stored("a98.jpg")[0] - PATCHES[0][0]) > 10,
                "the fixture's numbers must differ from sRGB, or the test proves nothing");
        assertPatches(render(file, "png"), 4, "a98.jpg");
    }

    @Test
    void proPhotoPngComesOutInSrgb() throws IOException {
        assertPatches(render(converted("rommrgb.icc", "prophoto.png"), "png"), 5, "prophoto.png");
    }

    private static void assertPatches(BufferedImage out, int tolerance, String source) {
        for (int i = 0; i < PATCHES.length; i++) {
            assertClose(PATCHES[i], rgb(out, i * 20 + 10, 10), tolerance, source + " patch " + i);
        }
    }

    @Test
    void keepingTheProfileKeepsTheNumbersAndTheProfile() throws IOException {
        Path file = converted("a98.icc", "a98.jpg");
        byte[] out = engine.render(Files.readAllBytes(file), RecipeString.parse("png keep=icc"), List.of()).get(0).bytes();
        Files.write(dir.resolve("kept.png"), out);
        assertEquals(ExternalTools.exiftool(dir, "-s3", "-ProfileDescription", "a98.jpg"),
                ExternalTools.exiftool(dir, "-s3", "-ProfileDescription", "kept.png"));
        assertClose(stored("a98.jpg"), stored("kept.png"), 2, "unconverted patch");
    }

    /** The numbers stored at (10, 10), as Pillow reads them: no colour management (ImageIO's JPEG reader converts). */
    private int[] stored(String file) {
        ExternalTools.python(dir, "from PIL import Image; open('px.txt', 'w').write(' '.join(map(str, "
                + "Image.open('" + file + "').convert('RGB').getpixel((10, 10)))))");
        try {
            String[] v = Files.readString(dir.resolve("px.txt")).split(" ");
            return new int[] {Integer.parseInt(v[0]), Integer.parseInt(v[1]), Integer.parseInt(v[2])};
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void cmykJpegFromPillowAndYcckJpegFromImageMagickKeepTheirColours() throws IOException {
        patches("srgb.png");
        python(dir, "from PIL import Image; Image.open('srgb.png').convert('RGB').convert('CMYK').save('cmyk.jpg', quality=100)");
        magick(dir, "srgb.png", "-colorspace", "CMYK", "-quality", "100", "ycck.jpg");
        assertEquals("Unknown (RGB or CMYK)\n", ExternalTools.exiftool(dir, "-s3", "-ColorTransform", "cmyk.jpg"));
        assertEquals("YCCK\n", ExternalTools.exiftool(dir, "-s3", "-ColorTransform", "ycck.jpg"));
        for (String name : List.of("cmyk.jpg", "ycck.jpg")) {
            assertPatches(render(dir.resolve(name), "png"), 6, name);
        }
    }

    /** A mid-tone, so that neither flattening nor JPEG's colour conversion clips it near white. */
    private static final int[] EDGE = {176, 112, 64};

    @Test
    void cmykAndYcckJpegsWithAProfileAreConvertedThroughIt() throws IOException {
        patches("srgb.png");
        String srgb = PROFILES.resolve("srgb.icc").toString();
        String cmyk = PROFILES.resolve("default_cmyk.icc").toString();
        magick(dir, "srgb.png", "-profile", srgb, "-profile", cmyk, "-quality", "100", "ycck-swop.jpg");
        python(dir, "from PIL import Image, ImageCms; im = Image.open('srgb.png').convert('RGB'); "
                + "p = open('" + cmyk + "', 'rb').read(); "
                + "ImageCms.profileToProfile(im, '" + srgb + "', '" + cmyk + "', outputMode='CMYK')"
                + ".save('cmyk-swop.jpg', quality=100, icc_profile=p)");
        assertEquals("YCCK\n", ExternalTools.exiftool(dir, "-s3", "-ColorTransform", "ycck-swop.jpg"));
        for (String name : List.of("ycck-swop.jpg", "cmyk-swop.jpg")) {
            magick(dir, name, "-profile", srgb, "reference.png"); // ImageMagick's own conversion of the same file
            BufferedImage ref = read(Files.readAllBytes(dir.resolve("reference.png")));
            BufferedImage out = render(dir.resolve(name), "png");
            for (int i = 0; i < PATCHES.length; i++) {
                assertClose(rgb(ref, i * 20 + 10, 10), rgb(out, i * 20 + 10, 10), 3, name + " patch " + i);
            }
        }
    }

    @Test
    void aLargeReductionMatchesImageMagicksFullLanczosAndAliasesNothing() throws IOException {
        // A 2400×1600 PNG of fine detail: a noise field, and 1-pixel black and white stripes (pure aliasing bait).
        magick(dir, "-seed", "7", "-size", "2400x800", "plasma:", "(", "-size", "2400x800", "pattern:vertical", ")", "-append", "PNG24:big.png");
        magick(dir, "big.png", "-filter", "Lanczos", "-resize", "240x160", "PNG24:reference.png"); // every source pixel weighed
        BufferedImage ref = read(Files.readAllBytes(dir.resolve("reference.png")));
        BufferedImage out = render(dir.resolve("big.png"), "fit 240 | png");
        assertEquals(240, out.getWidth());
        assertEquals(160, out.getHeight());
        long diff = 0;
        for (int y = 0; y < 160; y++) {
            for (int x = 0; x < 240; x++) {
                int[] a = rgb(out, x, y);
                int[] b = rgb(ref, x, y);
                for (int c = 0; c < 3; c++) {
                    diff += Math.abs(a[c] - b[c]);
                }
            }
        }
        assertTrue(diff / (240.0 * 160 * 3) < 1.5, "mean difference from ImageMagick's Lanczos: " + diff / (240.0 * 160 * 3));
        for (int x = 4; x < 236; x++) { // the stripes average to one grey, as in the reference: no moiré
            assertClose(rgb(ref, x, 120), rgb(out, x, 120), 3, "stripes at x=" + x);
        }
    }

    /**
     * 1021×2045, white with a black band along the bottom and one down the right side, in the colour JPEG most
     * cameras write: a shrink-on-load by 8 decodes 128×256 pixels standing for 127.625×255.625, and an output
     * that spread them over the whole 128×256 would draw both edges 3 source pixels off, whichever way the
     * orientation turns them.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6, 7})
    void aShrunkJpegDecodePutsEdgesWhereTheFullDecodeDoes(int orientation) throws IOException {
        magick(dir, "-size", "1021x2045", "xc:white", "-fill", "black", "-draw", "rectangle 0,1900 1020,2044",
                "-draw", "rectangle 900,0 1020,2044", "-type", "TrueColor", "-quality", "95", "bands.jpg");
        ExternalTools.exiftool(dir, "-q", "-overwrite_original", "-n", "-Orientation=" + orientation, "bands.jpg");
        Path file = dir.resolve("bands.jpg");
        String recipe = "orient | fit 128 | png";
        assertEquals(8, ShrinkPlan.reduceFactor(1021, 2045, orientation, RecipeString.parse(recipe).steps(), List.of()));
        BufferedImage out = render(file, recipe);
        String size = out.getWidth() + "x" + out.getHeight() + "!";
        magick(dir, "bands.jpg", "-auto-orient", "-filter", "Lanczos", "-resize", size, "PNG24:reference.png"); // full decode
        BufferedImage ref = read(Files.readAllBytes(dir.resolve("reference.png")));
        int worst = 0;
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                worst = Math.max(worst, Math.abs(rgb(out, x, y)[1] - rgb(ref, x, y)[1]));
            }
        }
        assertTrue(worst <= 16, "largest difference from ImageMagick's Lanczos of the full decode: " + worst);
    }

    /**
     * Opaque light colour on the left, transparent on the right, the edge where an output pixel's centre lies one
     * output pixel inside it: there the kernel's overshoot takes alpha to 255 × 1.07, and dividing the colour
     * by 255 rather than by that alpha would make it 7 % too light.
     */
    @Test
    void theColourNextToATransparentEdgeStaysItsColourWhereAlphaOvershoots() throws IOException {
        int[] light = {230, 200, 150};
        magick(dir, "-size", "400x400", "xc:none", "-fill", "#e6c896", "-draw", "rectangle 0,0 204,399", "PNG32:light.png");
        BufferedImage out = render(dir.resolve("light.png"), "fit 40 | png");
        assertEquals(255, out.getRGB(19, 20) >>> 24);
        for (int x = 0; x <= 19; x++) {
            assertClose(light, rgb(out, x, 20), 2, "colour at x=" + x);
        }
    }

    /** Left half opaque {@link #EDGE}, right half transparent BLACK: averaging without premultiplying darkens the edge. */
    private Path hardEdge() {
        magick(dir, "-size", "400x400", "xc:none", "-fill", "#b07040", "-draw", "rectangle 0,0 199,399", "PNG32:edge.png");
        return dir.resolve("edge.png");
    }

    @Test
    void aStrongShrinkOfATransparentEdgeLeavesNoDarkFringe() throws IOException {
        Path edge = hardEdge();
        magick(dir, "edge.png", "-filter", "Lanczos", "-resize", "40x40", "PNG32:reference.png"); // weighs colour by alpha
        BufferedImage ref = read(Files.readAllBytes(dir.resolve("reference.png")));
        BufferedImage out = render(edge, "fit 40 | png");
        assertEquals(40, out.getWidth());
        for (int x = 0; x < 40; x++) {
            int alpha = out.getRGB(x, 20) >>> 24;
            int refAlpha = ref.getRGB(x, 20) >>> 24;
            assertTrue(Math.abs(alpha - refAlpha) <= 8, "alpha at x=" + x + ": " + alpha + ", ImageMagick " + refAlpha);
            if (alpha >= 8) {
                assertClose(EDGE, rgb(out, x, 20), 6, "colour at x=" + x + " (alpha " + alpha + ")");
            }
        }
        // On white, the edge colour at alpha a has luma Y·a + 255·(1 − a); luma, unlike JPEG's chroma, is stored
        // at full resolution, so it shows a dark fringe at the edge (colour averaged with the transparent black).
        BufferedImage flat = render(edge, "fit 40 | jpeg 100");
        for (int x = 0; x < 40; x++) {
            double a = (out.getRGB(x, 20) >>> 24) / 255.0;
            int[] p = rgb(flat, x, 20);
            double luma = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
            double expected = (0.299 * EDGE[0] + 0.587 * EDGE[1] + 0.114 * EDGE[2]) * a + 255 * (1 - a);
            assertTrue(Math.abs(luma - expected) <= 4, "flattened luma at x=" + x + ": " + luma + ", expected " + expected);
        }
    }

    @Test
    void blurOfATransparentEdgeLeavesNoDarkFringe() throws IOException {
        BufferedImage out = render(hardEdge(), "blur 4 | png");
        for (int x = 180; x < 230; x++) {
            int alpha = out.getRGB(x, 200) >>> 24;
            if (alpha >= 8) {
                assertClose(EDGE, rgb(out, x, 200), 6, "colour at x=" + x + " (alpha " + alpha + ")");
            }
        }
    }
}
