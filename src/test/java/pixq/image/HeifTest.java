package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.image.ExternalTools.PROFILES;
import static pixq.image.ExternalTools.assertClose;
import static pixq.image.ExternalTools.magick;
import static pixq.image.ExternalTools.read;
import static pixq.image.ExternalTools.rgb;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pixq.recipe.RecipeString;

/**
 * HEIC and AVIF in (colours, orientation, alpha, ICC) and AVIF out, on fixtures made by heif-enc and avifenc
 * from ImageMagick images of known colours; pixq's AVIFs are read back by avifdec (libavif, not libheif).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeifTest {
    private static final int[] RED = {255, 0, 0};
    private static final int[] BLUE = {0, 0, 255};
    /** Four patches, 20 px wide each, well inside sRGB. */
    private static final int[][] PATCHES = {{200, 60, 40}, {60, 160, 80}, {40, 80, 200}, {230, 210, 180}};

    private final OpenCvImageEngine engine = new OpenCvImageEngine();
    @TempDir
    Path dir;

    @BeforeEach
    void libheif() {
        HeifFixtures.requireLibheif();
    }

    private byte[] render(Path file, String recipe) throws IOException {
        return engine.render(Files.readAllBytes(file), RecipeString.parse(recipe), List.of()).get(0).bytes();
    }

    @Test
    void aHeicIsSniffedAndDecodedInItsColoursAndOrientTurnsItByItsExif() throws IOException {
        Path heic = HeifFixtures.orientedHeic(dir, "photo.heic");
        ImageHeader header = ImageHeader.read(Files.readAllBytes(heic));
        assertEquals(ImageHeader.Format.HEIF, header.format());
        assertEquals("60x20", header.width() + "x" + header.height());

        BufferedImage stored = read(render(heic, "png"));
        assertEquals("60x20", stored.getWidth() + "x" + stored.getHeight(), "without orient: as stored");
        assertClose(RED, rgb(stored, 10, 10), 12, "left");
        assertClose(BLUE, rgb(stored, 55, 10), 12, "right");

        BufferedImage upright = read(render(heic, "orient | png"));
        assertEquals("20x60", upright.getWidth() + "x" + upright.getHeight(), "EXIF 6 turns it upright");
        assertClose(RED, rgb(upright, 10, 5), 12, "top");
        assertClose(BLUE, rgb(upright, 10, 55), 12, "bottom");

        String meta = new String(render(heic, "meta"), StandardCharsets.UTF_8);
        assertTrue(meta.contains("\"format\" : \"heif\"") && meta.contains("\"orientation\" : 6"), meta);
    }

    @Test
    void anAvifsRotationIsAppliedOnceAsLibheifsOwnToolShowsIt() throws IOException {
        Path avif = HeifFixtures.turnedAvif(dir, "turned.avif");
        assertEquals(ImageHeader.Format.AVIF, ImageHeader.read(Files.readAllBytes(avif)).format());
        ExternalTools.tool(dir, "/usr/bin/heif-convert", "libheif-examples", "turned.avif", "reference.png");
        BufferedImage reference = read(Files.readAllBytes(dir.resolve("reference.png")));

        BufferedImage out = read(render(avif, "orient | png")); // irot 1 applied; the EXIF 6 beside it not again
        assertEquals(reference.getWidth() + "x" + reference.getHeight(), out.getWidth() + "x" + out.getHeight());
        assertEquals("20x60", out.getWidth() + "x" + out.getHeight());
        assertClose(BLUE, rgb(out, 10, 5), 12, "top: a quarter turn anticlockwise brings the right to the top");
        assertClose(RED, rgb(out, 10, 55), 12, "bottom");
        assertClose(rgb(reference, 10, 5), rgb(out, 10, 5), 3, "top as heif-convert shows it");
        assertClose(rgb(reference, 10, 55), rgb(out, 10, 55), 3, "bottom as heif-convert shows it");
    }

    @Test
    void alphaComesThroughFromHeicAndAvif() throws IOException {
        magick(dir, "-size", "40x20", "xc:rgba(0,160,0,1)", "-size", "20x20", "xc:rgba(0,0,255,0)", "+append",
                "PNG32:alpha.png");
        HeifFixtures.heifEnc(dir, "-q", "95", "alpha.png", "-o", "alpha.heic");
        HeifFixtures.avifenc(dir, "-s", "8", "alpha.png", "alpha.avif");
        for (String file : List.of("alpha.heic", "alpha.avif")) {
            BufferedImage out = read(render(dir.resolve(file), "png"));
            assertEquals(255, out.getRGB(10, 10) >>> 24, file + ": opaque left");
            assertClose(new int[] {0, 160, 0}, rgb(out, 10, 10), 12, file + ": green left");
            assertEquals(0, out.getRGB(55, 10) >>> 24, file + ": transparent right");
        }
    }

    @Test
    void aTenBitHeicComesOutAs8BitInItsColour() throws IOException {
        magick(dir, "-size", "40x20", "xc:#ff8000", "-depth", "16", "PNG48:deep.png");
        HeifFixtures.heifEnc(dir, "-b", "10", "-q", "95", "deep.png", "-o", "deep.heic");
        assertClose(new int[] {255, 128, 0}, rgb(read(render(dir.resolve("deep.heic"), "png")), 20, 10), 6, "orange");
    }

    @Test
    void aHeicsIccProfileIsAppliedToSrgbOrKept() throws IOException {
        Path heic = wideGamutHeic();
        assertTrue(HeifBoxes.read(Files.readAllBytes(heic)).icc() != null, "the fixture carries its profile");
        BufferedImage out = read(render(heic, "png"));
        for (int i = 0; i < PATCHES.length; i++) {
            assertClose(PATCHES[i], rgb(out, i * 20 + 10, 10), 6, "patch " + i + " back in sRGB");
        }
        Files.write(dir.resolve("kept.png"), render(heic, "png keep=icc"));
        assertEquals(ExternalTools.exiftool(dir, "-s3", "-ProfileDescription", "a98.png"),
                ExternalTools.exiftool(dir, "-s3", "-ProfileDescription", "kept.png"));
    }

    /** The patches converted by ImageMagick to Adobe RGB (1998), profile embedded, then encoded by heif-enc. */
    private Path wideGamutHeic() {
        magick(dir, "-size", "20x20", "xc:#c83c28", "xc:#3ca050", "xc:#2850c8", "xc:#e6d2b4", "+append",
                "-profile", PROFILES.resolve("srgb.icc").toString(), "-profile", PROFILES.resolve("a98.icc").toString(),
                "PNG24:a98.png");
        HeifFixtures.heifEnc(dir, "-q", "95", "a98.png", "-o", "a98.heic");
        return dir.resolve("a98.heic");
    }

    @Test
    void avifOutputIsReadByAvifdecInItsColoursWithAlphaAndKeptProfile() throws IOException {
        magick(dir, "-size", "20x20", "xc:#c83c28", "xc:#3ca050", "xc:#2850c8", "xc:#e6d2b4", "+append", "PNG24:patches.png");
        Files.write(dir.resolve("out.avif"), render(dir.resolve("patches.png"), "avif 90"));
        BufferedImage back = avifdec("out.avif");
        for (int i = 0; i < PATCHES.length; i++) {
            assertClose(PATCHES[i], rgb(back, i * 20 + 10, 10), 8, "patch " + i);
        }

        magick(dir, "-size", "40x20", "xc:rgba(0,160,0,1)", "-size", "20x20", "xc:rgba(0,0,255,0)", "+append",
                "PNG32:alpha.png");
        Files.write(dir.resolve("alpha.avif"), render(dir.resolve("alpha.png"), "avif"));
        BufferedImage alpha = avifdec("alpha.avif");
        assertEquals(255, alpha.getRGB(10, 10) >>> 24, "opaque left");
        assertEquals(0, alpha.getRGB(55, 10) >>> 24, "transparent right");

        Path heic = wideGamutHeic();
        Files.write(dir.resolve("kept.avif"), render(heic, "avif keep=icc"));
        avifdec("kept.avif");
        assertEquals(ExternalTools.exiftool(dir, "-s3", "-ProfileDescription", "a98.png"),
                ExternalTools.exiftool(dir, "-s3", "-ProfileDescription", "kept.avif.png"));
    }

    /** avifdec's PNG of the file (named FILE.png): libavif and its AV1 decoder, not libheif. */
    private BufferedImage avifdec(String file) throws IOException {
        ExternalTools.tool(dir, "/usr/bin/avifdec", "libavif-bin", file, file + ".png");
        return read(Files.readAllBytes(dir.resolve(file + ".png")));
    }

    @Test
    void aTruncatedHeicFailsWithAReasonBeforeDecoding() throws IOException {
        byte[] heic = Files.readAllBytes(HeifFixtures.orientedHeic(dir, "whole.heic"));
        byte[] cut = Arrays.copyOf(heic, heic.length - 40); // inside the coded image, after the boxes
        ImageException e = assertThrows(ImageException.class,
                () -> engine.render(cut, RecipeString.parse("png"), List.of()));
        assertTrue(e.getMessage().startsWith("the file is truncated: its 'mdat' box"), e.getMessage());
    }

    @Test
    void aHeicWhoseCodedImageIsGarbageFailsWithLibheifsReason() throws IOException {
        byte[] heic = Files.readAllBytes(HeifFixtures.orientedHeic(dir, "whole.heic"));
        int mdat = indexOf(heic, "mdat".getBytes(StandardCharsets.ISO_8859_1));
        Arrays.fill(heic, mdat + 4, heic.length, (byte) 0xFF); // the boxes intact, the HEVC stream not
        ImageException e = assertThrows(ImageException.class,
                () -> engine.render(heic, RecipeString.parse("png"), List.of()));
        assertTrue(e.getMessage().startsWith("the HEIF file could not be decoded: "), e.getMessage());
    }

    private static int indexOf(byte[] b, byte[] what) {
        for (int i = 0; i + what.length <= b.length; i++) {
            if (Arrays.equals(b, i, i + what.length, what, 0, what.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
