package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static pixq.image.ExternalTools.exiftool;
import static pixq.image.ExternalTools.magick;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.recipe.RecipeString;

/** Metadata kept on request, read back by exiftool from a source whose tags exiftool wrote. */
class MetadataTest {
    private static final String TAGS = "-Orientation# -Artist -Copyright -DateTimeOriginal -GPSLatitude# -GPSLongitude# -GPSLatitudeRef#";

    private final OpenCvImageEngine engine = new OpenCvImageEngine();
    @TempDir
    Path dir;

    /** A 300×200 JPEG stored sideways (orientation 6) with an artist, a copyright, a date taken and a position. */
    private byte[] taggedSource() throws IOException {
        magick(dir, "-size", "300x200", "gradient:red-blue", "-quality", "90", "src.jpg");
        exiftool(dir, "-overwrite_original", "-Orientation#=6", "-Artist=Ann Example", "-Copyright=(c) 2026 Ann Example",
                "-DateTimeOriginal=2026:05:04 10:11:12", "-GPSLatitude=48.8583", "-GPSLatitudeRef=N",
                "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", "src.jpg");
        return Files.readAllBytes(dir.resolve("src.jpg"));
    }

    /** exiftool's values for TAGS, "-" where a tag is absent. */
    private String tags(byte[] file, String name) throws IOException {
        Files.write(dir.resolve(name), file);
        return exiftool(dir, ("-s3 -f " + TAGS + " " + name).split(" ")).strip().replace("\n", " | ");
    }

    private List<Rendition> render(byte[] src, String recipe) {
        return engine.render(src, RecipeString.parse(recipe), List.of());
    }

    @Test
    void selectedExifIsKeptInJpegPngAndWebpWithTheOrientationReset() throws IOException {
        byte[] src = taggedSource();
        List<Rendition> out = render(src, "orient | fit 100 > jpeg keep=exif -j ; png keep=exif,gps -p ; webp keep=gps,artist -w");
        assertEquals("1 | Ann Example | (c) 2026 Ann Example | 2026:05:04 10:11:12 | - | - | -", tags(out.get(0).bytes(), "o.jpg"));
        assertEquals("1 | Ann Example | (c) 2026 Ann Example | 2026:05:04 10:11:12 | 48.8583 | 2.2945 | N",
                tags(out.get(1).bytes(), "o.png"));
        assertEquals("1 | Ann Example | - | - | 48.8583 | 2.2945 | N", tags(out.get(2).bytes(), "o.webp"));
        assertEquals("67×100", dimensions(out.get(2).bytes())); // upright: stored 300×200 turned to 200×300, fitted
        for (String name : List.of("o.jpg", "o.png", "o.webp")) {
            assertEquals("OK", exiftool(dir, "-validate", "-s3", name).strip(), name + ": exiftool -validate");
        }
    }

    @Test
    void withoutOrientTheOrientationTagStaysSoViewersStillTurnThePicture() throws IOException {
        byte[] src = taggedSource();
        assertEquals("6 | - | (c) 2026 Ann Example | - | - | - | -",
                tags(render(src, "fit 100 | jpeg keep=copyright").get(0).bytes(), "o.jpg"));
    }

    @Test
    void theDefaultStripsEverything() throws IOException {
        byte[] src = taggedSource();
        for (String format : List.of("jpeg", "png", "webp")) {
            assertEquals("- | - | - | - | - | - | -", tags(render(src, "orient | fit 100 | " + format).get(0).bytes(), "o." + format));
        }
    }

    @Test
    void keptIccProfileIsReadableInEveryFormat() throws IOException {
        magick(dir, "-size", "64x64", "xc:#c83c28", "-profile", ExternalTools.PROFILES.resolve("srgb.icc").toString(),
                "-profile", ExternalTools.PROFILES.resolve("a98.icc").toString(), "-alpha", "on", "a98.png");
        byte[] src = Files.readAllBytes(dir.resolve("a98.png"));
        String expected = exiftool(dir, "-s3", "-ProfileDescription", "a98.png");
        List<Rendition> out = render(src, "fit 32 > jpeg keep=icc -j ; png keep=icc -p ; webp keep=icc -w ; webp 101 keep=icc -l");
        for (Rendition r : out) {
            Files.write(dir.resolve("o" + r.suffix()), r.bytes());
            assertEquals(expected, exiftool(dir, "-s3", "-ProfileDescription", "o" + r.suffix()), r.suffix());
            assertEquals("OK", exiftool(dir, "-validate", "-s3", "o" + r.suffix()).strip(), r.suffix() + ": exiftool -validate");
        }
    }

    private String dimensions(byte[] file) throws IOException {
        Files.write(dir.resolve("d.webp"), file);
        return exiftool(dir, "-s3", "-ImageSize", "d.webp").strip().replace("x", "×");
    }
}
