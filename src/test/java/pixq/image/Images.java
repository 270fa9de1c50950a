package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;

/** Test images made on the spot: {@code anImage(40, 20).quadrants().jpeg()}. Colours are given as R, G, B. */
final class Images {
    static final int[] RED = {255, 0, 0};
    static final int[] GREEN = {0, 255, 0};
    static final int[] BLUE = {0, 0, 255};
    static final int[] YELLOW = {255, 255, 0};

    private Mat mat;

    private Images(Mat mat) {
        this.mat = mat;
    }

    static Images anImage(int width, int height) {
        return new Images(new Mat(height, width, CV_8UC3, new Scalar(128, 128, 128, 255)));
    }

    /** Top-left red, top-right green, bottom-left blue, bottom-right yellow: every turn and mirror tells apart. */
    static Images of(Mat mat) {
        return new Images(mat);
    }

    Images quadrants() {
        int w = mat.cols() / 2;
        int h = mat.rows() / 2;
        fill(0, 0, w, h, RED);
        fill(w, 0, mat.cols() - w, h, GREEN);
        fill(0, h, w, mat.rows() - h, BLUE);
        fill(w, h, mat.cols() - w, mat.rows() - h, YELLOW);
        return this;
    }

    Images filled(int[] rgb) {
        return fill(0, 0, mat.cols(), mat.rows(), rgb);
    }

    Images fill(int x, int y, int w, int h, int[] rgb) {
        opencv_imgproc.rectangle(mat, new Rect(x, y, w, h), scalar(rgb, 255), -1, opencv_imgproc.LINE_8, 0);
        return this;
    }

    /** Adds an alpha channel: opaque on the left half, fully transparent on the right half. */
    Images halfTransparent() {
        Mat bgra = new Mat();
        opencv_imgproc.cvtColor(mat, bgra, opencv_imgproc.COLOR_BGR2BGRA);
        opencv_imgproc.rectangle(bgra, new Rect(mat.cols() / 2, 0, mat.cols() - mat.cols() / 2, mat.rows()),
                new Scalar(0, 0, 0, 0), -1, opencv_imgproc.LINE_8, 0);
        mat = bgra;
        return this;
    }

    Images gray() {
        Mat g = new Mat();
        opencv_imgproc.cvtColor(mat, g, opencv_imgproc.COLOR_BGR2GRAY);
        mat = g;
        return this;
    }

    Images sixteenBit() {
        Mat m = new Mat();
        mat.convertTo(m, CV_16UC3, 257, 0);
        mat = m;
        return this;
    }

    Mat mat() {
        return mat;
    }

    byte[] jpeg() {
        return jpeg(95);
    }

    byte[] jpeg(int quality) {
        return encode(".jpg", opencv_imgcodecs.IMWRITE_JPEG_QUALITY, quality);
    }

    byte[] progressiveJpeg() {
        return encode(".jpg", opencv_imgcodecs.IMWRITE_JPEG_QUALITY, 95, opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE, 1);
    }

    byte[] png() {
        return encode(".png");
    }

    byte[] webp() {
        return encode(".webp", opencv_imgcodecs.IMWRITE_WEBP_QUALITY, 101); // lossless
    }

    byte[] bmp() {
        return encode(".bmp");
    }

    byte[] tiff() {
        return encode(".tiff");
    }

    /** Through the JDK's GIF writer (palette image). */
    byte[] gif() {
        return viaImageIo("gif");
    }

    /** Through the JDK's PNG writer as an indexed (palette) image. */
    byte[] palettePng() {
        return viaImageIo("png");
    }

    private byte[] viaImageIo(String format) {
        BufferedImage img = new BufferedImage(mat.cols(), mat.rows(), BufferedImage.TYPE_BYTE_INDEXED);
        for (int y = 0; y < mat.rows(); y++) {
            for (int x = 0; x < mat.cols(); x++) {
                int[] c = rgbAt(mat, x, y);
                img.setRGB(x, y, c[0] << 16 | c[1] << 8 | c[2]);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private byte[] encode(String ext, int... params) {
        try (BytePointer buf = new BytePointer(); IntPointer p = new IntPointer(params)) {
            if (!opencv_imgcodecs.imencode(ext, mat, buf, p)) {
                throw new IllegalStateException("cannot encode " + ext);
            }
            byte[] b = new byte[(int) buf.limit()];
            buf.get(b);
            return b;
        }
    }

    private static Scalar scalar(int[] rgb, int alpha) {
        return new Scalar(rgb[2], rgb[1], rgb[0], alpha);
    }

    // ---- reading results

    static Mat decode(byte[] bytes) {
        Mat m = opencv_imgcodecs.imdecode(new Mat(new BytePointer(bytes)), opencv_imgcodecs.IMREAD_UNCHANGED);
        if (m.empty()) {
            throw new IllegalStateException("test could not decode the output");
        }
        return m;
    }

    /** R, G, B (and A when present) at x, y. */
    static int[] rgbAt(Mat m, int x, int y) {
        BytePointer p = m.ptr(y, x);
        int n = m.channels();
        if (n == 1) {
            int v = p.get(0) & 0xFF;
            return new int[] {v, v, v};
        }
        int[] c = {p.get(2) & 0xFF, p.get(1) & 0xFF, p.get(0) & 0xFF};
        return n == 4 ? new int[] {c[0], c[1], c[2], p.get(3) & 0xFF} : c;
    }

    static boolean near(int[] actual, int[] expected, int tolerance) {
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(actual[i] - expected[i]) > tolerance) {
                return false;
            }
        }
        return true;
    }

    // ---- EXIF

    /** A JPEG with an APP1 Exif block holding IFD0 orientation (and optionally make, model and GPS) after SOI. */
    static byte[] withExif(byte[] jpeg, Exif exif) {
        byte[] app1 = exif.app1();
        byte[] out = new byte[jpeg.length + app1.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(app1, 0, out, 2, app1.length);
        System.arraycopy(jpeg, 2, out, 2 + app1.length, jpeg.length - 2);
        return out;
    }

    static byte[] withOrientation(byte[] jpeg, int orientation) {
        return withExif(jpeg, new Exif().orientation(orientation));
    }

    /** A tiny big-endian TIFF/EXIF writer: IFD0 (make, model, orientation), the Exif IFD (date), the GPS IFD. */
    static final class Exif {
        private int orientation = 1;
        private String make;
        private String model;
        private String dateTaken;
        private double[] gps;

        Exif orientation(int o) {
            orientation = o;
            return this;
        }

        Exif camera(String make, String model) {
            this.make = make;
            this.model = model;
            return this;
        }

        Exif taken(String exifDate) {
            dateTaken = exifDate;
            return this;
        }

        Exif gps(double latitude, double longitude) {
            gps = new double[] {latitude, longitude};
            return this;
        }

        byte[] app1() {
            ByteBuffer tiff = ByteBuffer.allocate(1024).order(ByteOrder.BIG_ENDIAN);
            tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
            List<int[]> entries = new ArrayList<>(); // tag, type, count, value-or-offset
            ByteArrayOutputStream extra = new ByteArrayOutputStream();
            int ifd0Count = 1 + (make != null ? 2 : 0) + (dateTaken != null ? 1 : 0) + (gps != null ? 1 : 0);
            int extraBase = 8 + 2 + 12 * ifd0Count + 4;
            if (make != null) {
                entries.add(new int[] {0x010F, 2, make.length() + 1, extraBase + extra.size()});
                extra.writeBytes((make + "\0").getBytes(StandardCharsets.US_ASCII));
                entries.add(new int[] {0x0110, 2, model.length() + 1, extraBase + extra.size()});
                extra.writeBytes((model + "\0").getBytes(StandardCharsets.US_ASCII));
            }
            entries.add(new int[] {0x0112, 3, 1, orientation << 16});
            if (dateTaken != null) {
                int subIfd = extraBase + extra.size();
                entries.add(new int[] {0x8769, 4, 1, subIfd});
                int dateAt = subIfd + 2 + 12 + 4;
                ByteBuffer sub = ByteBuffer.allocate(18).order(ByteOrder.BIG_ENDIAN);
                sub.putShort((short) 1).putShort((short) 0x9003).putShort((short) 2).putInt(20).putInt(dateAt).putInt(0);
                extra.writeBytes(sub.array());
                extra.writeBytes((dateTaken + "\0").getBytes(StandardCharsets.US_ASCII));
            }
            if (gps != null) {
                int gpsIfd = extraBase + extra.size();
                entries.add(new int[] {0x8825, 4, 1, gpsIfd});
                int rationals = gpsIfd + 2 + 12 * 4 + 4;
                ByteBuffer g = ByteBuffer.allocate(2 + 12 * 4 + 4 + 48).order(ByteOrder.BIG_ENDIAN);
                g.putShort((short) 4);
                g.putShort((short) 1).putShort((short) 2).putInt(2).put((byte) (gps[0] >= 0 ? 'N' : 'S')).put(new byte[3]);
                g.putShort((short) 2).putShort((short) 5).putInt(3).putInt(rationals);
                g.putShort((short) 3).putShort((short) 2).putInt(2).put((byte) (gps[1] >= 0 ? 'E' : 'W')).put(new byte[3]);
                g.putShort((short) 4).putShort((short) 5).putInt(3).putInt(rationals + 24);
                g.putInt(0);
                for (double v : gps) {
                    double a = Math.abs(v);
                    int deg = (int) a;
                    int min = (int) ((a - deg) * 60);
                    int sec100 = (int) Math.round(((a - deg) * 60 - min) * 60 * 100);
                    g.putInt(deg).putInt(1).putInt(min).putInt(1).putInt(sec100).putInt(100);
                }
                extra.writeBytes(g.array());
            }
            entries.sort((a, b) -> Integer.compare(a[0], b[0]));
            tiff.putShort((short) entries.size());
            for (int[] e : entries) {
                tiff.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]).putInt(e[3]);
            }
            tiff.putInt(0);
            tiff.put(extra.toByteArray());
            int tiffLength = tiff.position();
            ByteBuffer app1 = ByteBuffer.allocate(4 + 6 + tiffLength).order(ByteOrder.BIG_ENDIAN);
            app1.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (2 + 6 + tiffLength));
            app1.put(new byte[] {'E', 'x', 'i', 'f', 0, 0}).put(tiff.array(), 0, tiffLength);
            return app1.array();
        }
    }
}
