package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.awt.image.ColorConvertOp;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A CMYK or YCCK JPEG that embeds a CMYK profile: OpenCV's decoder would turn its inks into RGB by a formula
 * that ignores the profile, so the JDK's JPEG reader gives the raw components instead (at full size: such
 * files are print assets, rare in a photo pipeline), YCCK is turned back into CMYK, and the profile converts
 * the inks to sRGB. Adobe's APP14 marker says whether the values are stored inverted (Photoshop's way).
 */
final class CmykJpeg {
    private CmykJpeg() {}

    static Mat decode(byte[] bytes, ColourProfile profile) {
        Raster raw = readRaw(bytes);
        int w = raw.getWidth();
        int h = raw.getHeight();
        int transform = adobeTransform(bytes);
        byte[] ink = new byte[w * h * 4];
        int[] row = new int[w * 4];
        for (int y = 0, o = 0; y < h; y++) {
            raw.getPixels(0, y, w, 1, row);
            for (int i = 0; i < row.length; i += 4, o += 4) {
                int c = row[i];
                int m = row[i + 1];
                int ye = row[i + 2];
                if (transform == 2) { // YCCK: Y, Cb, Cr encode R, G, B = 255 − the stored C, M, Y (as libjpeg undoes it)
                    int luma = row[i];
                    int cb = row[i + 1] - 128;
                    int cr = row[i + 2] - 128;
                    c = 255 - clamp(Math.round(luma + 1.402f * cr));
                    m = 255 - clamp(Math.round(luma - 0.344136f * cb - 0.714136f * cr));
                    ye = 255 - clamp(Math.round(luma + 1.772f * cb));
                }
                boolean inverted = transform >= 0;
                ink[o] = (byte) (inverted ? 255 - c : c);
                ink[o + 1] = (byte) (inverted ? 255 - m : m);
                ink[o + 2] = (byte) (inverted ? 255 - ye : ye);
                ink[o + 3] = (byte) (inverted ? 255 - row[i + 3] : row[i + 3]);
            }
        }
        WritableRaster src = Raster.createInterleavedRaster(new DataBufferByte(ink, ink.length), w, h, w * 4, 4,
                new int[] {0, 1, 2, 3}, null);
        byte[] bgr = new byte[w * h * 3];
        WritableRaster dst = Raster.createInterleavedRaster(new DataBufferByte(bgr, bgr.length), w, h, w * 3, 3,
                new int[] {2, 1, 0}, null);
        new ColorConvertOp(new java.awt.color.ICC_Profile[] {profile.icc(), ColourProfile.srgb()}, null).filter(src, dst);
        Mat out = new Mat(h, w, CV_8UC3);
        out.data().put(bgr);
        return out;
    }

    private static Raster readRaw(byte[] bytes) {
        ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in);
            Raster r = reader.readRaster(0, null);
            if (r.getNumBands() != 4) {
                throw new ImageException("the CMYK JPEG has " + r.getNumBands() + " components, not 4");
            }
            return r;
        } catch (IOException | RuntimeException e) {
            throw new ImageException("the CMYK JPEG is corrupt: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    /** The APP14 Adobe marker's transform (0 CMYK, 2 YCCK), or -1 without the marker (values then not inverted). */
    private static int adobeTransform(byte[] b) {
        byte[] adobe = "Adobe".getBytes(StandardCharsets.ISO_8859_1);
        int i = 2;
        while (i + 4 <= b.length && (b[i] & 0xFF) == 0xFF) {
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xDA) {
                break;
            }
            int length = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            if (marker == 0xEE && length >= 12 && Arrays.equals(b, i + 4, i + 9, adobe, 0, 5)) {
                return b[i + 15] & 0xFF;
            }
            i += 2 + length;
        }
        return -1;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
