package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC;

import java.util.Arrays;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Lanczos3 resampling of 8-bit Mats (1, 3 or 4 channels), separable, with the kernel stretched by the
 * reduction factor so a downscale averages everything it drops instead of aliasing it (libvips' reduce,
 * Pillow's resize; OpenCV's INTER_LANCZOS4 interpolates without stretching and aliases). Four channels are
 * premultiplied by alpha while filtered, so transparent pixels lend no colour to their neighbours.
 *
 * <p>One output row at a time: the vertical pass, the costly one (it reads every source row), is a sum of whole
 * rows ({@code acc[i] += w * row[i]}) that the JIT turns into SIMD; the horizontal pass then gathers along that
 * one row. Only a few source rows are held as floats at once, so memory stays small at any size.
 */
final class Lanczos {
    private static final int LOBES = 3;

    private Lanczos() {}

    static Mat resize(Mat src, int outW, int outH) {
        int ch = src.channels();
        Taps ty = Taps.of(src.rows(), outH);
        Taps tx = Taps.of(src.cols(), outW);
        Mat out = new Mat(outH, outW, CV_8UC(ch));
        float[] line = new float[outW * ch];
        byte[] bytes = new byte[outW * ch];
        Rows rows = new Rows(src, ty.maxTaps);
        float[] acc = new float[src.cols() * ch];
        for (int y = 0; y < outH; y++) {
            Arrays.fill(acc, 0);
            for (int k = 0; k < ty.count[y]; k++) {
                axpy(acc, ty.weights[y][k], rows.get(ty.first[y] + k));
            }
            horizontal(acc, tx, ch, line);
            if (ch == 4) {
                unpremultiply(line);
            }
            for (int i = 0; i < line.length; i++) {
                float v = line[i];
                bytes[i] = (byte) (v <= 0 ? 0 : v >= 255 ? 255 : (int) (v + 0.5f));
            }
            out.ptr(y).put(bytes);
        }
        return out;
    }

    /** One row's horizontal pass, a channel at a time (a stride of {@code ch} through the interleaved row). */
    private static void horizontal(float[] row, Taps tx, int ch, float[] out) {
        for (int c = 0; c < ch; c++) {
            for (int x = 0; x < tx.out; x++) {
                float[] w = tx.weights[x];
                float sum = 0;
                for (int k = 0, i = tx.first[x] * ch + c; k < w.length; k++, i += ch) {
                    sum += w[k] * row[i];
                }
                out[x * ch + c] = sum;
            }
        }
    }

    /** The source's rows as floats (premultiplied when 4 channels), each converted once, the last few kept. */
    private static final class Rows {
        private final Mat src;
        private final float[][] cache;
        private final int[] cached;
        private final byte[] bytes;

        Rows(Mat src, int keep) {
            this.src = src;
            this.cache = new float[keep][];
            this.cached = new int[keep];
            Arrays.fill(cached, -1);
            this.bytes = new byte[src.cols() * src.channels()];
        }

        float[] get(int row) {
            int slot = row % cache.length;
            if (cached[slot] != row) {
                src.ptr(row).get(bytes);
                cache[slot] = toFloat(bytes, src.channels(), cache[slot]);
                cached[slot] = row;
            }
            return cache[slot];
        }
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
