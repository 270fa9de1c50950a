package pixq.image;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_PNG_COMPRESSION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_WEBP_QUALITY;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import pixq.recipe.Output;
import pixq.recipe.Output.Keep;

/**
 * The last stage: colour to sRGB (unless the output keeps the source's RGB profile), alpha flattened onto
 * white for JPEG, the encoder, then the metadata the output keeps.
 */
final class Encoder {
    /** What the source brings to its outputs: its colour profile (may be null) and the EXIF values to keep. */
    record Source(ColourProfile profile, Exif.Kept exif) {
        static final Source NONE = new Source(null, null);
    }

    private Encoder() {}

    /** @param orientation the EXIF orientation the pixels still need (1 after {@code orient}) */
    static byte[] encode(Mat m, Output o, Source source, int orientation) {
        ColourProfile profile = source.profile();
        boolean keepProfile = profile != null && o.keeps(Keep.ICC) && profile.isRgb();
        Mat srgb = profile == null || keepProfile ? m : profile.toSrgb(m);
        try {
            byte[] icc = keepProfile ? profile.data() : null;
            byte[] exif = keepsExif(o) ? Exif.tiff(orientation, m.cols(), m.rows(), kept(source.exif(), o)) : null;
            if (o.format() == Output.Format.AVIF) {
                return Heif.avif(srgb, avifQuality(o), icc, exif);
            }
            return MetadataBlocks.embed(encode(srgb, o), o.format(), icc, exif);
        } finally {
            if (srgb != m) {
                srgb.close();
            }
        }
    }

    /** Pixels only, no metadata: also what a {@code command} step receives. */
    static byte[] encode(Mat m, Output o) {
        Output.Format format = o.format();
        if (format == Output.Format.AVIF) {
            return Heif.avif(m, avifQuality(o), null, null);
        }
        Mat pixels = format == Output.Format.JPEG ? Transforms.flattenOnWhite(m) : m;
        int[] params = switch (format) {
            case JPEG -> new int[] {IMWRITE_JPEG_QUALITY, o.quality() == null ? 85 : o.quality(),
                IMWRITE_JPEG_PROGRESSIVE, Boolean.TRUE.equals(o.progressive()) ? 1 : 0};
            case PNG -> new int[] {IMWRITE_PNG_COMPRESSION, o.quality() == null ? 6 : o.quality()};
            case WEBP -> new int[] {IMWRITE_WEBP_QUALITY, o.quality() == null ? 80 : o.quality()};
            case META -> throw new IllegalArgumentException("a meta output has no pixels to encode");
            case AVIF -> throw new IllegalStateException("libheif encodes AVIF, not OpenCV");
        };
        try (BytePointer out = new BytePointer(); IntPointer p = new IntPointer(params)) {
            if (!opencv_imgcodecs.imencode(o.extension(), pixels, out, p)) {
                throw new ImageException("the " + format + " encoder failed on a " + m.cols() + "×" + m.rows() + " image");
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        } finally {
            if (pixels != m) {
                pixels.close();
            }
        }
    }

    private static int avifQuality(Output o) {
        return o.quality() == null ? 60 : o.quality();
    }

    static String contentType(Output o) {
        return o.format().contentType();
    }

    private static boolean keepsExif(Output o) {
        return o.keeps(Keep.COPYRIGHT) || o.keeps(Keep.ARTIST) || o.keeps(Keep.DATE) || o.keeps(Keep.GPS);
    }

    private static Exif.Kept kept(Exif.Kept all, Output o) {
        if (all == null) {
            return new Exif.Kept(null, null, null, null);
        }
        return new Exif.Kept(o.keeps(Keep.ARTIST) ? all.artist() : null, o.keeps(Keep.COPYRIGHT) ? all.copyright() : null,
                o.keeps(Keep.DATE) ? all.dateTaken() : null, o.keeps(Keep.GPS) ? all.gps() : null);
    }
}
