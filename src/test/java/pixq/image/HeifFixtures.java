package pixq.image;

import java.nio.file.Path;
import pixq.job.MissingTool;

/**
 * HEIC and AVIF files made by encoders independent of pixq (Debian's heif-enc and avifenc) from images
 * ImageMagick draws in known colours. PNG24/PNG32 because heif-enc 1.15 misreads palette PNGs.
 */
public final class HeifFixtures {
    static final String HEIF_ENC = "/usr/bin/heif-enc";
    static final String AVIFENC = "/usr/bin/avifenc";

    private HeifFixtures() {}

    /** libheif must be here: the test fails under CI=true and skips elsewhere when it is not. */
    public static void requireLibheif() {
        Heif.unavailable().ifPresent(MissingTool::skipOrFail);
    }

    /**
     * A 60×20 JPEG, red on its left 40 px and blue on its right 20, tagged EXIF orientation 6 (turn 90° clockwise
     * to display: red on top).
     */
    public static Path orientedJpeg(Path dir, String name) {
        ExternalTools.magick(dir, "-size", "40x20", "xc:#ff0000", "-size", "20x20", "xc:#0000ff", "+append",
                "-quality", "95", name);
        ExternalTools.exiftool(dir, "-q", "-overwrite_original", "-n", "-Orientation=6", name);
        return dir.resolve(name);
    }

    /** {@link #orientedJpeg}'s image as heif-enc 1.15 makes it: HEVC, the EXIF (orientation 6) kept, no irot. */
    public static Path orientedHeic(Path dir, String name) {
        orientedJpeg(dir, name + ".src.jpg");
        heifEnc(dir, "-q", "95", name + ".src.jpg", "-o", name);
        return dir.resolve(name);
    }

    /**
     * {@link #orientedJpeg}'s image as an AVIF with irot 1 (turn 90° anticlockwise: blue on top) and the JPEG's
     * EXIF orientation 6 as well, as a phone writes both: applying both would turn it twice.
     */
    public static Path turnedAvif(Path dir, String name) {
        orientedJpeg(dir, name + ".src.jpg");
        avifenc(dir, "-s", "8", "--min", "0", "--max", "10", "--irot", "1", name + ".src.jpg", name);
        return dir.resolve(name);
    }

    static String heifEnc(Path dir, String... args) {
        return ExternalTools.tool(dir, HEIF_ENC, "libheif-examples", args);
    }

    static String avifenc(Path dir, String... args) {
        return ExternalTools.tool(dir, AVIFENC, "libavif-bin", args);
    }
}
