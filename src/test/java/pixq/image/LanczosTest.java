package pixq.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import pixq.job.MissingTool;

/**
 * The filter's steps in C (pixq's image library) against their Java twins: the same floats and bytes, to the bit;
 * and the rows the Java filter's thread keeps from one resize to the next change no pixel. Maven runs this class twice:
 * on the library as built, and on its portable build (-DPIXQ_PORTABLE, pixq.test.portable set: the loops arm64 and
 * x86-64 without AVX2 run).
 */
@Timeout(60)
class LanczosTest {
    private static void requireLibrary() {
        if (!NativeImage.loaded()) {
            MissingTool.skipOrFail(NativeImage.describe() + " (install gcc and libjpeg-dev, as .ci/run does, then mvn compile)");
        }
    }

    @Test
    void aThreadsKeptRowsGiveThePixelsFreshOnesGive() throws Exception {
        // in this order: a wide source; a narrow 4-channel one needing more rows (kept rows now longer than its own);
        // a smaller one that fits in what is kept
        List<Mat> sources = List.of(noise(600, 2400, 3), noise(1800, 500, 4), noise(300, 700, 3));
        int[][] outputs = {{1000, 250}, {100, 500}, {233, 100}};
        List<byte[]> oneThread = onNewThread(() -> {
            List<byte[]> pixels = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                pixels.add(pixels(Lanczos.resizeInJava(sources.get(i), Lanczos.Window.all(sources.get(i)), outputs[i][0], outputs[i][1])));
            }
            return pixels;
        });
        for (int i = 0; i < sources.size(); i++) {
            int n = i;
            byte[] fresh = onNewThread(() -> pixels(Lanczos.resizeInJava(sources.get(n), Lanczos.Window.all(sources.get(n)), outputs[n][0], outputs[n][1])));
            assertArrayEquals(fresh, oneThread.get(i), "resize " + (i + 1) + " of one thread");
        }
    }

    @Test
    void aReductionWhoseWindowSpansHundredsOfRowsKeepsAFlatColourFlat() {
        // 6000 rows to 30: each output row sums 1,200 source rows, many native chunks of them
        Mat flat = new Mat(6000, 4, CV_8UC(3));
        byte[] grey = new byte[6000 * 4 * 3];
        Arrays.fill(grey, (byte) 100);
        flat.data().put(grey);
        byte[] out = resized(flat, new int[] {2, 30});
        assertEquals(2 * 30 * 3, out.length);
        for (byte b : out) {
            assertEquals(100, b & 0xFF);
        }
    }

    private static Mat noise(int rows, int cols, int channels) {
        byte[] pixels = new byte[rows * cols * channels];
        new Random(rows).nextBytes(pixels);
        Mat m = new Mat(rows, cols, CV_8UC(channels));
        m.data().put(pixels);
        return m;
    }

    private static byte[] resized(Mat src, int[] size) {
        return pixels(Lanczos.resize(src, Lanczos.Window.all(src), size[0], size[1]));
    }

    /** The Mat's pixels; the Mat is closed. */
    private static byte[] pixels(Mat out) {
        try (out) {
            byte[] pixels = new byte[(int) (out.total() * out.channels())];
            out.data().get(pixels);
            return pixels;
        }
    }

    /** Rows of whole levels (0-255) as the bytes of a Mat, a row each. */
    private static Mat asBytes(float[][] rows) {
        Mat m = new Mat(rows.length, rows[0].length, CV_8UC(1));
        byte[] b = new byte[rows.length * rows[0].length];
        for (int k = 0; k < rows.length; k++) {
            for (int i = 0; i < rows[k].length; i++) {
                b[k * rows[0].length + i] = (byte) rows[k][i];
            }
        }
        m.data().put(b);
        return m;
    }

    private static float[] floats(Lanczos.Block b, int n) {
        float[] f = new float[n];
        Lanczos.getFloats(b.address, f);
        return f;
    }

    private static <T> T onNewThread(Callable<T> work) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            return thread.submit(work).get();
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void theLoopsAreTheOnesTheBuildAndTheCpuCallFor() throws IOException {
        requireLibrary();
        boolean avx2 = System.getProperty("os.arch").equals("amd64")
                && Files.readAllLines(Path.of("/proc/cpuinfo")).stream().anyMatch(l -> l.startsWith("flags") && l.contains(" avx2"));
        assertEquals(avx2 && !Boolean.getBoolean("pixq.test.portable") ? "AVX2" : "portable", Lanczos.loopsNative());
    }

    @Test
    void theFilterInCGivesTheJavaFiltersPixels() {
        requireLibrary();
        // reductions by 2.4x and 7.5x (a window past a chunk of 64 rows: 25x), one to one, an enlargement, odd sizes
        int[][] sizes = {{1200, 900, 500, 375}, {3000, 40, 400, 5}, {1600, 80, 64, 3}, {64, 48, 64, 48}, {33, 21, 100, 70}};
        for (int ch : new int[] {1, 3, 4}) {
            for (int[] s : sizes) {
                Mat src = noise(s[1], s[0], ch);
                Lanczos.Window shrunk = new Lanczos.Window(0, 0, s[0] - 0.25, s[1] - 0.75); // a shrunk decode's window
                assertArrayEquals(pixels(Lanczos.resizeInJava(src, shrunk, s[2], s[3])), pixels(Lanczos.resize(src, shrunk, s[2], s[3])),
                        ch + " channels, " + s[0] + "x" + s[1] + " -> " + s[2] + "x" + s[3]);
            }
        }
    }

    @Test
    void theNativePassAddsWhatTheJavaPassAdds() {
        requireLibrary();
        Random random = new Random(15);
        // reductions (the usual case, 1.9x to 7.5x), one to one, an enlargement (fewer taps at the edges), odd outputs,
        // and a shrunk decode's window that ends inside its last pixel
        int[][] sizes = {{2000, 1024}, {3840, 1024}, {1001, 133}, {640, 640}, {301, 902}, {7, 3}, {1, 1}};
        for (int ch : new int[] {1, 3, 4}) {
            for (int[] size : sizes) {
                int in = size[0], out = size[1];
                Lanczos.Taps taps = Lanczos.Taps.of(in, 0, in - 0.25 * random.nextInt(2), out);
                float[] row = new float[in * ch];
                for (int i = 0; i < in * ch; i++) {
                    row[i] = random.nextFloat() * 255; // the vertical pass's sums: any float, not only whole levels
                }
                float[] java = new float[out * ch];
                Lanczos.horizontal(row, taps, ch, java);
                try (Lanczos.Block r = Lanczos.Block.of(row); Lanczos.Block first = Lanczos.Block.of(taps.first);
                     Lanczos.Block count = Lanczos.Block.of(taps.count); Lanczos.Block weights = Lanczos.Block.of(taps.packed());
                     Lanczos.Block c = new Lanczos.Block((long) out * ch * Float.BYTES)) {
                    Lanczos.horizontalNative(r.address, row.length, ch, first.address, count.address, weights.address, taps.maxTaps, out, c.address);
                    assertArrayEquals(java, floats(c, out * ch), ch + " channels, " + in + " -> " + out);
                }
            }
        }
    }

    @Test
    void callsTheNativeStepsCannotServeAreRefused() {
        requireLibrary();
        try (Lanczos.Block acc = new Lanczos.Block(12 * Float.BYTES); Lanczos.Block row = Lanczos.Block.of(new float[12])) {
            long[] rows = {row.address, row.address};
            assertThrows(IllegalArgumentException.class, () -> Lanczos.verticalNative(acc.address, rows, 3, new float[3], 12, false), "fewer rows than taps");
            assertThrows(IllegalArgumentException.class, () -> Lanczos.verticalNative(acc.address, rows, 2, new float[1], 12, true), "fewer weights than taps");
            assertThrows(IllegalArgumentException.class, () -> Lanczos.horizontalNative(row.address, 12, 2, 0, 0, 0, 1, 0, acc.address), "2 channels");
            try (Mat out = new Mat(1, 4, CV_8UC(3))) {
                assertThrows(IllegalArgumentException.class, () -> Lanczos.storeNative(row.address, 10, 3, out.data().address()), "not whole pixels");
            }
        }
    }

    @Test
    void theNativeVerticalPassAndStoreGiveWhatTheJavaOnesGive() {
        requireLibrary();
        Random random = new Random(16);
        // window heights around the sweeps of four rows, a 7.5x reduction's, and a 25x one's (past a chunk of 64 rows)
        for (int count : new int[] {1, 3, 4, 5, 8, 13, 45, 150}) {
            int width = 1 + random.nextInt(3000);
            float[][] rows = new float[count][];
            float[] w = new float[count];
            List<Lanczos.Block> blocks = new ArrayList<>();
            long[] addresses = new long[count];
            for (int k = 0; k < count; k++) {
                rows[k] = new float[width];
                for (int i = 0; i < width; i++) {
                    rows[k][i] = random.nextInt(256);
                }
                w[k] = random.nextFloat() - 0.2f; // the kernel's lobes weigh some rows negatively
                blocks.add(Lanczos.Block.of(rows[k]));
                addresses[k] = blocks.get(k).address;
            }
            float[] java = new float[width];
            Lanczos.vertical(java, rows, count, w);
            try (Lanczos.Block c = new Lanczos.Block((long) width * Float.BYTES); Mat levels = asBytes(rows)) {
                Lanczos.verticalNative(c.address, addresses, count, w, width, false);
                assertArrayEquals(java, floats(c, width), count + " rows of " + width + " floats");
                long[] byteRows = new long[count];
                for (int k = 0; k < count; k++) {
                    byteRows[k] = levels.data().address() + (long) k * width;
                }
                Lanczos.verticalNative(c.address, byteRows, count, w, width, true);
                assertArrayEquals(java, floats(c, width), count + " rows of " + width + " bytes");
            } finally {
                blocks.forEach(Lanczos.Block::close);
            }
        }
        for (int ch : new int[] {1, 3, 4}) {
            int pixels = 997;
            float[] line = new float[pixels * ch];
            for (int i = 0; i < line.length; i++) {
                // overshoot past both ends, exact halves, and for 4 channels alpha at and below 0 and above 255
                line[i] = switch (random.nextInt(4)) {
                    case 0 -> random.nextFloat() * 300 - 20;
                    case 1 -> random.nextInt(256) + 0.5f;
                    case 2 -> random.nextInt(3) - 1;
                    default -> random.nextFloat() * 255;
                };
            }
            // and the values no sum of finite pixels makes, so both sides define them alike
            float[] edges = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 255, 254.5f, -0.5f, 0, -0f};
            System.arraycopy(edges, 0, line, ch == 4 ? 4 : 0, edges.length);
            if (ch == 4) {
                float[] levels = new float[line.length];
                for (int i = 0; i < levels.length; i++) {
                    levels[i] = random.nextInt(256);
                }
                float[] premultiplied = levels.clone();
                Lanczos.premultiply(premultiplied, premultiplied.length);
                try (Mat bytes = asBytes(new float[][] {levels}); Lanczos.Block c = new Lanczos.Block((long) levels.length * Float.BYTES)) {
                    Lanczos.premultiplyNative(bytes.data().address(), c.address, levels.length);
                    assertArrayEquals(premultiplied, floats(c, levels.length), "premultiplied");
                }
            }
            float[] javaLine = line.clone();
            byte[] java = new byte[line.length];
            Lanczos.store(javaLine, ch, java);
            try (Mat row = new Mat(1, pixels, CV_8UC(ch)); Lanczos.Block c = Lanczos.Block.of(line)) {
                Lanczos.storeNative(c.address, line.length, ch, row.data().address());
                byte[] stored = new byte[line.length];
                row.data().get(stored);
                assertArrayEquals(java, stored, ch + " channels");
            }
        }
    }
}
