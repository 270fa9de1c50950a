package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC;

import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Lanczos3 resampling of 8-bit Mats (1, 3 or 4 channels), separable, with the kernel stretched by the
 * reduction factor so a downscale averages everything it drops instead of aliasing it (libvips' reduce,
 * Pillow's resize; OpenCV's INTER_LANCZOS4 interpolates without stretching and aliases). Four channels are
 * premultiplied by alpha while filtered, so transparent pixels lend no colour to their neighbours.
 *
 * <p>One output row at a time: the vertical pass, the costly one (it reads every source row), is a sum of whole
 * rows ({@code acc[i] += w * row[i]}); the horizontal pass then gathers along that one row. Only a few source rows
 * are held at once, so memory stays small at any size. Where pixq's image library is loaded, the three steps of a
 * row run in C (src/main/c/lanczos.c), to the bit the Java ones below, which the JIT's top tier turns into SIMD.
 * The C steps work on native memory, handed over by address: a Java array pinned for C holds off the collector,
 * which then grows the heap instead (4,400 photos at fit 1024 peaked at 297 MB, 248 with nothing pinned). Their rows
 * are the decoder's bytes, converted to floats as the vertical pass sums them: converting each row once into a
 * ring of floats cost more (440 photos at fit 1024: about 5 % more CPU; bench/RESULTS.md).
 */
final class Lanczos {
    private static final int LOBES = 3;
    static final int BAND = 16;

    /** The row's steps in C where pixq's image library is loaded: the same sums, without waiting for the JIT. */
    private static final boolean NATIVE_PASS = NativeImage.loaded();

    private Lanczos() {}

    /**
     * The part of a source image an output stands for, in its pixels: all of it, except after a shrunk JPEG
     * decode, whose last block row and column hold only part of a block (3837 rows by 4 decode to 960 rows
     * standing for 959.25).
     */
    record Window(double x, double y, double width, double height) {
        static Window all(Mat m) {
            return new Window(0, 0, m.cols(), m.rows());
        }
    }

    /** The image to filter, handed over a band of rows at a time, top to bottom: a decoded Mat, or a JPEG still decoding. */
    interface Source {
        int cols();

        int rows();

        int channels();

        /**
         * Rows {@code from} to {@code from + n - 1}'s levels, row {@code from + i} into the native memory at
         * {@code into[i]} ({@code cols() * channels()} bytes); bands are asked for down the image.
         */
        void read(int from, int n, long[] into);
    }

    static Mat resize(Mat src, Window from, int outW, int outH) {
        if (!NATIVE_PASS) {
            return resizeInJava(src, from, outW, outH);
        }
        try (Decoded rows = new Decoded(src)) {
            return resize(rows, from, outW, outH);
        }
    }

    /**
     * A decoded Mat's rows: copied as they are for the C filter; for the Java one converted to floats by OpenCV a band
     * at a time (SIMD, one call), as converting in Java a byte at a time cost as much as the vertical pass itself.
     */
    private static final class Decoded implements Source, AutoCloseable {
        private final Mat m;
        /** One Mat for every band: each Mat made stays referenced by the render's PointerScope until the job ends. */
        private final Mat band = new Mat();

        Decoded(Mat m) {
            this.m = m;
        }

        public int cols() {
            return m.cols();
        }

        public int rows() {
            return m.rows();
        }

        public int channels() {
            return m.channels();
        }

        /** For the Java filter: the rows into Java arrays. */
        void convert(int from, int n, float[][] into) {
            try (Mat rows = m.rowRange(from, from + n)) {
                rows.convertTo(band, CV_32F);
            }
            int width = m.cols() * m.channels();
            // one pointer over the band (its rows are contiguous), not one per row
            try (FloatPointer floats = new FloatPointer(band.ptr(0))) {
                for (int i = 0; i < n; i++) {
                    floats.position((long) i * width).get(into[i], 0, width);
                }
            }
        }

        @Override
        public void read(int from, int n, long[] into) {
            long data = m.arrayData().address(), step = m.arrayStep(), width = (long) m.cols() * m.channels();
            for (int i = 0; i < n; i++) {
                copyBytes(data + (from + i) * step, into[i], width);
            }
        }

        @Override
        public void close() {
            band.close();
        }
    }

    /** The filter in C, on rows, sums and taps in native memory. */
    static Mat resize(Source src, Window from, int outW, int outH) {
        int ch = src.channels();
        int width = src.cols() * ch;
        int line = outW * ch;
        Taps ty = Taps.of(src.rows(), from.y(), from.height(), outH);
        Taps tx = Taps.of(src.cols(), from.x(), from.width(), outW);
        Mat out = new Mat(outH, outW, CV_8UC(ch));
        long data = out.data().address();
        try (NativeRows rows = new NativeRows(src, ty.maxTaps);
             Block sums = new Block((long) width * Float.BYTES);
             Block summed = new Block((long) line * Float.BYTES);
             Block first = Block.of(tx.first);
             Block count = Block.of(tx.count);
             Block weights = Block.of(tx.packed())) {
            long[] window = new long[ty.maxTaps];
            for (int y = 0; y < outH; y++) {
                rows.window(ty.first[y], ty.count[y], window);
                verticalNative(sums.address, window, ty.count[y], ty.weights[y], width, rows.bytes);
                horizontalNative(sums.address, width, ch, first.address, count.address, weights.address, tx.maxTaps, outW,
                        summed.address);
                storeNative(summed.address, line, ch, data + (long) y * line);
            }
        }
        return out;
    }

    /** The filter in Java, where pixq's image library is not loaded: the C one's pixels, to the bit. */
    static Mat resizeInJava(Mat mat, Window from, int outW, int outH) {
        try (Decoded src = new Decoded(mat)) {
            return resizeInJava(src, from, outW, outH);
        }
    }

    private static Mat resizeInJava(Decoded src, Window from, int outW, int outH) {
        int ch = src.channels();
        Taps ty = Taps.of(src.rows(), from.y(), from.height(), outH);
        Taps tx = Taps.of(src.cols(), from.x(), from.width(), outW);
        Mat out = new Mat(outH, outW, CV_8UC(ch));
        float[] line = new float[outW * ch];
        float[] acc = new float[src.cols() * ch];
        JavaRows rows = new JavaRows(src, ty.maxTaps);
        float[][] window = new float[ty.maxTaps][];
        BytePointer data = out.data(); // one pointer for all rows, not one per row
        byte[] bytes = new byte[line.length];
        for (int y = 0; y < outH; y++) {
            rows.window(ty.first[y], ty.count[y], window);
            vertical(acc, window, ty.count[y], ty.weights[y]);
            horizontal(acc, tx, ch, line);
            store(line, ch, bytes);
            data.position((long) y * bytes.length).put(bytes);
        }
        rows.release();
        return out;
    }

    /** One row's output levels: rounded and clamped, colour divided back by alpha first for 4 channels (in {@code line}). */
    static void store(float[] line, int ch, byte[] bytes) {
        if (ch == 4) {
            unpremultiply(line);
        }
        for (int i = 0; i < line.length; i++) {
            float v = line[i];
            bytes[i] = (byte) (v <= 0 ? 0 : v >= 255 ? 255 : (int) (v + 0.5f));
        }
    }

    /**
     * One row's horizontal pass. A pixel's channels are summed side by side, so three or four independent sums
     * advance together instead of one chain of dependent additions per channel (2–3× faster on 3 channels).
     */
    static void horizontal(float[] row, Taps tx, int ch, float[] out) {
        switch (ch) {
            case 3 -> {
                for (int x = 0; x < tx.out; x++) {
                    float[] w = tx.weights[x];
                    float b = 0, g = 0, r = 0;
                    for (int k = 0, i = tx.first[x] * 3; k < w.length; k++, i += 3) {
                        b += w[k] * row[i];
                        g += w[k] * row[i + 1];
                        r += w[k] * row[i + 2];
                    }
                    out[x * 3] = b;
                    out[x * 3 + 1] = g;
                    out[x * 3 + 2] = r;
                }
            }
            case 4 -> {
                for (int x = 0; x < tx.out; x++) {
                    float[] w = tx.weights[x];
                    float b = 0, g = 0, r = 0, a = 0;
                    for (int k = 0, i = tx.first[x] * 4; k < w.length; k++, i += 4) {
                        b += w[k] * row[i];
                        g += w[k] * row[i + 1];
                        r += w[k] * row[i + 2];
                        a += w[k] * row[i + 3];
                    }
                    out[x * 4] = b;
                    out[x * 4 + 1] = g;
                    out[x * 4 + 2] = r;
                    out[x * 4 + 3] = a;
                }
            }
            default -> { // gray
                for (int x = 0; x < tx.out; x++) {
                    float[] w = tx.weights[x];
                    float sum = 0;
                    for (int k = 0, i = tx.first[x]; k < w.length; k++, i++) {
                        sum += w[k] * row[i];
                    }
                    out[x] = sum;
                }
            }
        }
    }

    /**
     * {@link #horizontal} in src/main/c/lanczos.c: the same products added in the same order, so the same floats.
     * Reads the {@code length} floats at {@code row}; {@code first} and {@code count} hold {@code out} ints each,
     * {@code weights} {@code out} outputs' weights, {@code stride} apart (as {@link Taps#packed}); writes
     * {@code out * ch} floats at {@code dst}. No output may read past the row ({@link Taps} makes none).
     */
    static native void horizontalNative(long row, long length, int ch, long first, long count, long weights, int stride,
                                        int out, long dst);

    /**
     * {@link #vertical} in C, into the {@code n} floats at {@code acc} from the {@code n} bytes ({@code bytes}) or
     * floats at each row's address: the same sums, to the bit.
     */
    static native void verticalNative(long acc, long[] rows, int count, float[] w, int n, boolean bytes);

    /** {@link #store} of the {@code n} floats at {@code line}, in C, into the output image's row at {@code address}. */
    static native void storeNative(long line, int n, int ch, long address);

    /** {@link #premultiply} in C: the {@code n} bytes at {@code from} as floats at {@code to}, colour times alpha. */
    static native void premultiplyNative(long from, long to, int n);

    /** Which of the C filter's loops this CPU runs: "AVX2", or "portable" (arm64, x86-64 without AVX2). */
    static native String loopsNative();

    /** Native memory: {@code allocate} throws OutOfMemoryError when there is none; {@link Block} frees what it takes. */
    static native long allocate(long bytes);

    static native void release(long address);

    static native void putFloats(float[] from, long to);

    static native void putInts(int[] from, long to);

    /** The floats at {@code from} into {@code to} (LanczosTest reads the C steps' results with it). */
    static native void getFloats(long from, float[] to);

    static native void copyBytes(long from, long to, long n);

    /** Native memory for the C filter, freed when closed. */
    static final class Block implements AutoCloseable {
        final long address;

        Block(long bytes) {
            address = allocate(bytes);
        }

        static Block of(float[] floats) {
            Block b = new Block(Math.max(1, (long) floats.length * Float.BYTES));
            putFloats(floats, b.address);
            return b;
        }

        static Block of(int[] ints) {
            Block b = new Block(Math.max(1, (long) ints.length * Integer.BYTES));
            putInts(ints, b.address);
            return b;
        }

        @Override
        public void close() {
            release(address);
        }
    }

    /**
     * Which source row each slot of a ring holds. A missing row is converted with the {@link #BAND} rows after it;
     * the ring holds the filter's window plus a band, so none still needed is overwritten.
     */
    private abstract static class Ring {
        private final int rows;
        private final int[] cached;

        Ring(int rows, int slots) {
            this.rows = rows;
            this.cached = new int[slots];
            Arrays.fill(cached, -1);
        }

        /** The slot {@code row} goes in. */
        final int slotOf(int row) {
            return row % cached.length;
        }

        /** The slot holding {@code row}, converted first if it is not there. */
        final int slot(int row) {
            int slot = slotOf(row);
            if (cached[slot] != row) {
                int n = Math.min(BAND, rows - row);
                fill(row, n);
                for (int i = 0; i < n; i++) {
                    cached[slotOf(row + i)] = row + i;
                }
            }
            return slot;
        }

        /** Converts rows {@code from} to {@code from + n - 1}, row {@code r} into slot {@code r % slots}. */
        abstract void fill(int from, int n);
    }

    /**
     * The source's rows in native memory, the last few kept: its bytes as they are, or for 4 channels floats
     * premultiplied by alpha (converted from a band of bytes read first).
     */
    private static final class NativeRows extends Ring implements AutoCloseable {
        private final Source src;
        private final int width;
        /** Whether the rows are the source's bytes (else premultiplied floats). */
        final boolean bytes;
        private final int rowBytes;
        private final Block ring;
        /** For 4 channels, the band of bytes being premultiplied into the ring; else none. */
        private final Block read;
        private final long[] band = new long[BAND];

        NativeRows(Source src, int keep) {
            super(src.rows(), keep + BAND);
            this.src = src;
            this.width = src.cols() * src.channels();
            this.bytes = src.channels() != 4;
            this.rowBytes = bytes ? width : width * Float.BYTES;
            this.ring = new Block((long) (keep + BAND) * rowBytes);
            this.read = bytes ? null : new Block((long) BAND * width);
        }

        private long address(int slot) {
            return ring.address + (long) slot * rowBytes;
        }

        /** Rows {@code first} to {@code first + count - 1}'s addresses into {@code into}, fetched in order. */
        void window(int first, int count, long[] into) {
            for (int k = 0; k < count; k++) {
                into[k] = address(slot(first + k));
            }
        }

        @Override
        void fill(int from, int n) {
            for (int i = 0; i < n; i++) {
                band[i] = bytes ? address(slotOf(from + i)) : read.address + (long) i * width;
            }
            src.read(from, n, band);
            if (!bytes) {
                for (int i = 0; i < n; i++) {
                    premultiplyNative(band[i], address(slotOf(from + i)), width);
                }
            }
        }

        @Override
        public void close() {
            ring.close();
            if (read != null) {
                read.close();
            }
        }
    }

    /** For the Java filter: the source's rows as Java floats (premultiplied when 4 channels), the last few kept. */
    private static final class JavaRows extends Ring {
        /** A thread's ring, kept for its next resize unless larger than this many floats. */
        private static final long KEEP_AT_MOST = 1 << 20;
        private static final ThreadLocal<float[][]> KEPT = new ThreadLocal<>();
        private final Decoded src;
        private final int width;
        private final float[][] cache;
        private final float[][] band = new float[BAND][];

        JavaRows(Decoded src, int keep) {
            this(src, ring(keep + BAND, src.cols() * src.channels()));
        }

        /** A kept ring may have more slots than asked for: the ring's slots are all of its rows. */
        private JavaRows(Decoded src, float[][] cache) {
            super(src.rows(), cache.length);
            this.src = src;
            this.width = src.cols() * src.channels();
            this.cache = cache;
        }

        /**
         * Rows at least {@code width} floats long (only the first {@code width} are used): the thread's kept ring when
         * it is large enough. A ring made anew for every photo was a quarter of all the workers allocated.
         */
        private static float[][] ring(int n, int width) {
            float[][] kept = KEPT.get();
            KEPT.remove(); // while in use, not handed to another resize on this thread
            if (kept != null && kept.length >= n && kept[0].length >= width) {
                return kept;
            }
            if (kept != null) { // grown to fit the kept one's resizes too, so that photos of alternating sizes stop allocating
                int rows = Math.max(n, kept.length), longest = Math.max(width, kept[0].length);
                if ((long) rows * longest <= KEEP_AT_MOST) {
                    return new float[rows][longest];
                }
            }
            return new float[n][width];
        }

        /** Hands the ring back to the thread for its next resize. */
        void release() {
            if ((long) cache.length * cache[0].length <= KEEP_AT_MOST) {
                KEPT.set(cache);
            }
        }

        /** Rows {@code first} to {@code first + count - 1} into {@code into}, fetched in order. */
        void window(int first, int count, float[][] into) {
            for (int k = 0; k < count; k++) {
                into[k] = cache[slot(first + k)];
            }
        }

        @Override
        void fill(int from, int n) {
            for (int i = 0; i < n; i++) {
                band[i] = cache[slotOf(from + i)];
            }
            src.convert(from, n, band);
            if (src.channels() == 4) {
                for (int i = 0; i < n; i++) {
                    premultiply(band[i], width);
                }
            }
        }
    }

    /**
     * One output row's vertical pass: the sum of its source rows, weighted. Four rows a sweep, so {@code acc} is
     * loaded and stored a quarter as often (2–3× faster on 3000-pixel rows); left to right, as one row a sweep
     * would add them, so the sums are the same to the bit.
     */
    static void vertical(float[] acc, float[][] rows, int count, float[] w) {
        Arrays.fill(acc, 0);
        int k = 0;
        for (; k + 4 <= count; k += 4) {
            float[] r0 = rows[k], r1 = rows[k + 1], r2 = rows[k + 2], r3 = rows[k + 3];
            float w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = acc[i] + w0 * r0[i] + w1 * r1[i] + w2 * r2[i] + w3 * r3[i];
            }
        }
        for (; k < count; k++) {
            axpy(acc, w[k], rows[k]);
        }
    }

    private static void axpy(float[] acc, float w, float[] row) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += w * row[i];
        }
    }

    /** Colour times alpha (0..1), in place. */
    static void premultiply(float[] f, int length) {
        for (int i = 0; i < length; i += 4) {
            float a = f[i + 3] * (1 / 255f);
            f[i] *= a;
            f[i + 1] *= a;
            f[i + 2] *= a;
        }
    }

    /**
     * Premultiplied colour back to straight colour, divided by the filtered alpha itself, then alpha clamped.
     * Inside an opaque edge the kernel's overshoot takes alpha past 255: dividing by 255 instead would keep
     * that overshoot in the colour (a light rim over white, 9 dB of PSNR on a planet photo with a
     * transparent sky) where dividing by the real alpha keeps the colour the neighbours have.
     */
    private static void unpremultiply(float[] f) {
        for (int i = 0; i < f.length; i += 4) {
            float a = f[i + 3];
            float k = a <= 0 ? 0 : 255 / a;
            f[i] *= k;
            f[i + 1] *= k;
            f[i + 2] *= k;
            f[i + 3] = a < 0 ? 0 : Math.min(a, 255);
        }
    }

    /**
     * For each output index: its first input index and normalised weights (Pillow's placement of the kernel),
     * the {@code out} pixels spread over {@code extent} input pixels from {@code start}; taps stay inside the
     * {@code in} pixels there are.
     */
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

        /** The weights in one array, {@link #maxTaps} apart, as {@link #horizontalNative} takes them. */
        float[] packed() {
            float[] packed = new float[out * maxTaps];
            for (int i = 0; i < out; i++) {
                System.arraycopy(weights[i], 0, packed, i * maxTaps, weights[i].length);
            }
            return packed;
        }

        static Taps of(int in, double start, double extent, int out) {
            double scale = extent / out;
            double stretch = Math.max(scale, 1);
            double support = LOBES * stretch;
            int[] first = new int[out];
            int[] count = new int[out];
            float[][] weights = new float[out][];
            int max = 1;
            double[] w = new double[(int) (2 * support) + 2]; // one output's raw weights, before they are normalised
            for (int i = 0; i < out; i++) {
                double center = start + (i + 0.5) * scale;
                int lo = Math.max(0, (int) (center - support + 0.5));
                int hi = Math.min(in, (int) (center + support + 0.5));
                double sum = 0;
                for (int k = 0; k < hi - lo; k++) {
                    w[k] = kernel((lo + k - center + 0.5) / stretch);
                    sum += w[k];
                }
                float[] norm = new float[Math.max(1, hi - lo)];
                for (int k = 0; k < norm.length; k++) {
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
