package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_DUPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Draws the synthetic images in samples/ (the project's own work, CC0). Run once from the repository root:
 * {@code java -cp target/test-classes:target/classes:CLASSPATH pixq.image.SampleImages samples}.
 * The CMYK sample is then made from landscape.jpg with ImageMagick (see samples/LICENSE.txt).
 */
public final class SampleImages {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "samples");
        Files.createDirectories(dir);
        Files.write(dir.resolve("landscape.jpg"), jpeg(landscape(1600, 1000, "pixq sample: landscape"), 85));
        Mat upright = landscape(900, 1200, "EXIF 6: upright?");
        opencv_imgproc.arrowedLine(upright, new Point(450, 700), new Point(450, 350), rgb(255, 255, 255), 24, LINE_AA, 0, 0.3);
        Mat stored = Transforms.orient(upright, 8); // what a camera held upright writes with orientation 6
        Files.write(dir.resolve("portrait-exif6.jpg"), Images.withOrientation(jpeg(stored, 85), 6));
        Mat gray = new Mat();
        opencv_imgproc.cvtColor(landscape(1000, 700, "pixq sample: gray"), gray, opencv_imgproc.COLOR_BGR2GRAY);
        Files.write(dir.resolve("gray.jpg"), jpeg(gray, 85));
        Files.write(dir.resolve("badge-alpha.png"), png(badge(600, 400)));
    }

    /** Sky gradient, a sun, two mountain ridges, a lake and a caption. */
    static Mat landscape(int w, int h, String caption) {
        Mat img = gradient(w, h, rgb(40, 90, 200), rgb(250, 200, 150));
        opencv_imgproc.circle(img, new Point(w * 3 / 4, h / 4), Math.min(w, h) / 10, rgb(255, 230, 90), -1, LINE_AA, 0);
        ridge(img, h * 55 / 100, 7, rgb(90, 100, 130));
        ridge(img, h * 70 / 100, 5, rgb(40, 110, 60));
        opencv_imgproc.rectangle(img, new Point(0, h * 85 / 100), new Point(w, h), rgb(30, 80, 140), -1, LINE_AA, 0);
        double scale = w / 800.0;
        opencv_imgproc.putText(img, caption, new Point(w / 20, h * 95 / 100), FONT_HERSHEY_DUPLEX, scale,
                rgb(255, 255, 255), Math.max(1, (int) (2 * scale)), LINE_AA, false);
        return img;
    }

    private static void ridge(Mat img, int base, int peaks, Scalar color) {
        int w = img.cols();
        int h = img.rows();
        int[] xy = new int[(peaks * 2 + 3) * 2];
        int n = 0;
        for (int i = 0; i <= peaks * 2; i++) {
            xy[n++] = w * i / (peaks * 2);
            xy[n++] = base - (i % 2 == 1 ? h / 6 + (i * 37 % 11) * h / 100 : 0);
        }
        xy[n++] = w;
        xy[n++] = h;
        xy[n++] = 0;
        xy[n++] = h;
        Mat pts = new Mat(n / 2, 1, org.bytedeco.opencv.global.opencv_core.CV_32SC2, new IntPointer(xy));
        opencv_imgproc.fillPoly(img, new MatVector(pts), color);
    }

    /** A round badge on a transparent background. */
    static Mat badge(int w, int h) {
        Mat bgra = new Mat(h, w, org.bytedeco.opencv.global.opencv_core.CV_8UC4, new Scalar(0, 0, 0, 0));
        opencv_imgproc.circle(bgra, new Point(w / 2, h / 2), h * 45 / 100, new Scalar(60, 40, 200, 255), -1, LINE_AA, 0);
        opencv_imgproc.circle(bgra, new Point(w / 2, h / 2), h * 35 / 100, new Scalar(255, 255, 255, 160), -1, LINE_AA, 0);
        opencv_imgproc.putText(bgra, "pixq", new Point(w / 2 - h / 4, h / 2 + h / 20), FONT_HERSHEY_DUPLEX, h / 250.0,
                new Scalar(60, 40, 200, 255), 3, LINE_AA, false);
        return bgra;
    }

    private static Mat gradient(int w, int h, Scalar top, Scalar bottom) {
        Mat two = new Mat(2, 1, CV_8UC3);
        for (int row = 0; row < 2; row++) {
            Scalar c = row == 0 ? top : bottom;
            two.ptr(row, 0).put((byte) c.get(0), (byte) c.get(1), (byte) c.get(2));
        }
        Mat out = new Mat();
        opencv_imgproc.resize(two, out, new Size(w, h), 0, 0, opencv_imgproc.INTER_LINEAR);
        return out;
    }

    private static Scalar rgb(int r, int g, int b) {
        return new Scalar(b, g, r, 255);
    }

    private static byte[] jpeg(Mat m, int quality) {
        return encode(".jpg", m, opencv_imgcodecs.IMWRITE_JPEG_QUALITY, quality);
    }

    private static byte[] png(Mat m) {
        return encode(".png", m, opencv_imgcodecs.IMWRITE_PNG_COMPRESSION, 9);
    }

    private static byte[] encode(String ext, Mat m, int... params) {
        try (BytePointer buf = new BytePointer()) {
            opencv_imgcodecs.imencode(ext, m, buf, new IntPointer(params));
            byte[] b = new byte[(int) buf.limit()];
            buf.get(b);
            return b;
        }
    }
}
