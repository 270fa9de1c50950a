package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Lanczos3 resampling of 8-bit Mats (1, 3 or 4 channels), separable, with the kernel stretched by the
 * reduction factor so a downscale averages everything it drops instead of aliasing it (libvips' reduce,
 * Pillow's resize; OpenCV's INTER_LANCZOS4 interpolates without stretching and aliases). Four channels are
 * premultiplied by alpha while filtered, so transparent pixels lend no colour to their neighbours.
 *
 * <p>Both passes are written as sums of whole arrays ({@code acc[i] += w * row[i]}), which the JIT turns into
 * SIMD: rows first, stored transposed so the columns are arrays too; OpenCV turns the (still transposed)
 * floats back into upright bytes.
 */
final class Lanczos {
    private static final int LOBES = 3;
    private static final int BLOCK = 16;

    private Lanczos() {}

    static Mat resize(Mat src, int outW, int outH) {
        int ch = src.channels();
        Taps ty = Taps.of(src.rows(), outH);
        Taps tx = Taps.of(src.cols(), outW);
        float[][] columns = verticalPass(src, ty, ch);
        float[][] reduced = new float[outW][];
        for (int x = 0; x < outW; x++) {
            reduced[x] = weightedSum(columns, tx, x, outH * ch);
            if (ch == 4) {
                unpremultiply(reduced[x]);
            }
        }
        try (Mat sideways = toMat(reduced, ch); Mat bytes = new Mat()) {
            sideways.convertTo(bytes, CV_8U); // rounds and clamps
            Mat out = new Mat();
            opencv_core.transpose(bytes, out);
            return out;
        }
    }

    /**
     * Each output row as the weighted sum of its input rows (each input row converted to float once), stored
     * transposed: {@code columns[x][y * ch + c]}, so the horizontal pass can sum whole arrays too.
     */
    private static float[][] verticalPass(Mat src, Taps ty, int ch) {
        int w = src.cols();
        int ring = ty.maxTaps;
        float[][] cache = new float[ring][];
        int[] cached = new int[ring];
        Arrays.fill(cached, -1);
        byte[] bytes = new byte[w * ch];
        float[][] block = new float[BLOCK][w * ch];
        float[][] columns = new float[w][ty.out * ch];
        for (int y0 = 0; y0 < ty.out; y0 += BLOCK) {
            int n = Math.min(BLOCK, ty.out - y0);
            for (int b = 0; b < n; b++) {
                int y = y0 + b;
                float[] acc = block[b];
                Arrays.fill(acc, 0);
                for (int k = 0; k < ty.count[y]; k++) {
                    int row = ty.first[y] + k;
                    int slot = row % ring;
                    if (cached[slot] != row) {
                        src.ptr(row).get(bytes);
                        cache[slot] = toFloat(bytes, ch, cache[slot]);
                        cached[slot] = row;
                    }
                    axpy(acc, ty.weights[y][k], cache[slot]);
                }
            }
            // a block of rows at a time, so each column receives one contiguous run
            for (int x = 0; x < w; x++) {
                float[] column = columns[x];
                int from = x * ch;
                for (int b = 0, at = y0 * ch; b < n; b++) {
                    float[] acc = block[b];
                    for (int c = 0; c < ch; c++) {
                        column[at++] = acc[from + c];
                    }
                }
            }
        }
        return columns;
    }

    private static float[] weightedSum(float[][] rows, Taps t, int i, int length) {
        float[] acc = new float[length];
        for (int k = 0; k < t.count[i]; k++) {
            axpy(acc, t.weights[i][k], rows[t.first[i] + k]);
        }
        return acc;
    }

    private static void axpy(float[] acc, float w, float[] row) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += w * row[i];
        }
    }

    /** Unsigned bytes to floats; with 4 channels the colour is premultiplied by alpha (0..1). */
    private static float[] toFloat(byte[] b, int ch, float[] reuse) {
        float[] f = reuse != null && reuse.length == b.length ? reuse : new float[b.length];
        for (int i = 0; i < b.length; i++) {
            f[i] = b[i] & 0xFF;
        }
        if (ch == 4) {
            for (int i = 0; i < f.length; i += 4) {
                float a = f[i + 3] * (1 / 255f);
                f[i] *= a;
                f[i + 1] *= a;
                f[i + 2] *= a;
            }
        }
        return f;
    }

    /** One Mat row per array (all of one length), float channels. */
    private static Mat toMat(float[][] rows, int ch) {
        int length = rows[0].length;
        Mat m = new Mat(rows.length, length / ch, CV_32FC(ch));
        FloatPointer data = new FloatPointer(m.data());
        for (int i = 0; i < rows.length; i++) {
            data.position((long) i * length).put(rows[i]);
        }
        return m;
    }

    /** Premultiplied colour back to straight colour; alpha clamped first so the colour never exceeds it. */
    private static void unpremultiply(float[] f) {
        for (int i = 0; i < f.length; i += 4) {
            float a = clamp(f[i + 3]);
            float k = a <= 0 ? 0 : 255 / a;
            f[i] *= k;
            f[i + 1] *= k;
            f[i + 2] *= k;
            f[i + 3] = a;
        }
    }

    private static float clamp(float v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** For each output index: its first input index and normalised weights (Pillow's placement of the kernel). */
    static final class Taps {
        final int out;
        final int[] first;
        final int[] count;
        final float[][] weights;
        final int maxTaps;

        private Taps(int out, int[] first, int[] count, float[][] weights, int maxTaps) {
            this.out = out;
            this.first = first;
            this.count = count;
            this.weights = weights;
            this.maxTaps = maxTaps;
        }

        static Taps of(int in, int out) {
            double scale = (double) in / out;
            double stretch = Math.max(scale, 1);
            double support = LOBES * stretch;
            int[] first = new int[out];
            int[] count = new int[out];
            float[][] weights = new float[out][];
            int max = 1;
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max(0, (int) (center - support + 0.5));
                int hi = Math.min(in, (int) (center + support + 0.5));
                double[] w = new double[Math.max(1, hi - lo)];
                double sum = 0;
                for (int k = 0; k < hi - lo; k++) {
                    w[k] = kernel((lo + k - center + 0.5) / stretch);
                    sum += w[k];
                }
                float[] norm = new float[w.length];
                for (int k = 0; k < w.length; k++) {
                    norm[k] = sum == 0 ? (k == 0 ? 1 : 0) : (float) (w[k] / sum);
                }
                first[i] = Math.min(lo, in - 1);
                count[i] = Math.max(1, hi - lo);
                weights[i] = norm;
                max = Math.max(max, count[i]);
            }
            return new Taps(out, first, count, weights, max);
        }

        private static double kernel(double x) {
            if (x == 0) {
                return 1;
            }
            if (x <= -LOBES || x >= LOBES) {
                return 0;
            }
            double px = Math.PI * x;
            return LOBES * Math.sin(px) * Math.sin(px / LOBES) / (px * px);
        }
    }
}
