package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.ColorConvertOp;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.nio.charset.StandardCharsets;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * An embedded ICC profile, and the conversion of pixels from it to sRGB with the JDK's colour engine
 * (LittleCMS behind {@code java.awt.color}). Converted at encode time, on the output's own (small) pixels.
 */
final class ColourProfile {
    private static final ICC_Profile SRGB = ICC_Profile.getInstance(ColorSpace.CS_sRGB);

    private final byte[] data;
    private final ICC_Profile profile;

    private ColourProfile(byte[] data, ICC_Profile profile) {
        this.data = data;
        this.profile = profile;
    }

    /** The profile, or null when there is none or the JDK cannot read it (the pixels are then taken as sRGB). */
    static ColourProfile of(byte[] icc) {
        if (icc == null) {
            return null;
        }
        try {
            return new ColourProfile(icc, ICC_Profile.getInstance(icc));
        } catch (IllegalArgumentException broken) {
            return null;
        }
    }

    byte[] data() {
        return data;
    }

    ICC_Profile icc() {
        return profile;
    }

    static ICC_Profile srgb() {
        return SRGB;
    }

    boolean isCmyk() {
        return profile.getColorSpaceType() == ColorSpace.TYPE_CMYK;
    }

    boolean isRgb() {
        return profile.getColorSpaceType() == ColorSpace.TYPE_RGB;
    }

    /** An sRGB profile by its description ("sRGB IEC61966-2.1" and kin): converting would change nothing. */
    boolean isSrgb() {
        byte[] desc = profile.getData(ICC_Profile.icSigProfileDescriptionTag);
        if (desc == null) {
            return false;
        }
        String text = new String(desc, StandardCharsets.ISO_8859_1).replace("\0", "");
        return text.contains("sRGB");
    }

    /**
     * BGR or BGRA pixels in this (RGB) profile's space, converted to sRGB; alpha is left as it is. Other
     * layouts, and profiles that are not RGB (a CMYK JPEG's profile is applied by {@link CmykJpeg}), are copied.
     */
    Mat toSrgb(Mat m) {
        int ch = m.channels();
        if (!isRgb() || isSrgb() || (ch != 3 && ch != 4)) {
            return m.clone();
        }
        int w = m.cols();
        int h = m.rows();
        byte[] in = new byte[w * h * ch];
        try (Mat packed = m.isContinuous() ? null : m.clone()) {
            (packed == null ? m : packed).data().get(in);
        }
        byte[] out = in.clone(); // keeps alpha
        int[] bgr = {2, 1, 0};
        WritableRaster src = Raster.createInterleavedRaster(new DataBufferByte(in, in.length), w, h, w * ch, ch, bgr, null);
        WritableRaster dst = Raster.createInterleavedRaster(new DataBufferByte(out, out.length), w, h, w * ch, ch, bgr, null);
        new ColorConvertOp(new ICC_Profile[] {profile, SRGB}, null).filter(src, dst);
        Mat result = new Mat(h, w, CV_8UC(ch));
        result.data().put(out);
        return result;
    }
}
