package example.sepia;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;

import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import pixq.image.ImageException;
import pixq.image.ImageFilter;

/**
 * An example pixq plugin: a sepia tone, {@code custom sepia [amount=0..1]} in a recipe (1, the default, is full
 * sepia; 0 leaves the image as it was). Stateless, as filters are shared between threads.
 */
public final class SepiaFilter implements ImageFilter {
    /** The classic sepia matrix, rows and columns in OpenCV's B, G, R order (and alpha kept as it is). */
    private static final float[][] SEPIA = {
        {0.131f, 0.534f, 0.272f},
        {0.168f, 0.686f, 0.349f},
        {0.189f, 0.769f, 0.393f},
    };

    @Override
    public String name() {
        return "sepia";
    }

    @Override
    public Mat apply(Mat image, Map<String, String> params, List<String> args) {
        float amount = amount(params.getOrDefault("amount", "1"));
        Mat color = image;
        if (image.channels() == 1) {
            color = new Mat();
            opencv_imgproc.cvtColor(image, color, COLOR_GRAY2BGR);
        }
        int n = color.channels();
        float[] kernel = new float[n * n];
        for (int row = 0; row < n; row++) {
            for (int col = 0; col < n; col++) {
                float identity = row == col ? 1 : 0;
                float sepia = row < 3 && col < 3 ? SEPIA[row][col] : identity;
                kernel[row * n + col] = amount * sepia + (1 - amount) * identity;
            }
        }
        Mat out = new Mat();
        try (FloatPointer values = new FloatPointer(kernel); Mat m = new Mat(n, n, CV_32F, values)) {
            opencv_core.transform(color, out, m); // saturates to 0..255
        }
        if (color != image) {
            color.close();
        }
        return out;
    }

    private static float amount(String text) {
        try {
            float a = Float.parseFloat(text);
            if (a >= 0 && a <= 1) {
                return a;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ImageException("sepia amount must be a number from 0 to 1, not '" + text + "'");
    }
}
