package pixq.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC;

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
 * and the rows a thread keeps from one resize to the next change no pixel.
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
                pixels.add(resized(sources.get(i), outputs[i]));
            }
            return pixels;
        });
        for (int i = 0; i < sources.size(); i++) {
            int n = i;
            byte[] fresh = onNewThread(() -> resized(sources.get(n), outputs[n]));
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
        try (Mat out = Lanczos.resize(src, Lanczos.Window.all(src), size[0], size[1])) {
            byte[] pixels = new byte[(int) (out.total() * out.channels())];
            out.data().get(pixels);
            return pixels;
        }
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
                float[] c = new float[out * ch];
                Lanczos.horizontal(row, taps, ch, java);
                Lanczos.horizontalNative(row, ch, taps.first, taps.count, taps.packed(), taps.maxTaps, taps.reach(), c);
                assertArrayEquals(java, c, ch + " channels, " + in + " -> " + out);
            }
        }
    }

    @Test
    void arraysTooShortForTheTapsAreRefusedNotReadPast() {
        requireLibrary();
        Lanczos.Taps taps = Lanczos.Taps.of(100, 0, 100, 40);
        float[] out = new float[40 * 3];
        assertThrows(IllegalArgumentException.class,
                () -> Lanczos.horizontalNative(new float[299], 3, taps.first, taps.count, taps.packed(), taps.maxTaps, taps.reach(), out));
        assertThrows(IllegalArgumentException.class,
                () -> Lanczos.horizontalNative(new float[300], 3, taps.first, taps.count, taps.packed(), taps.maxTaps, taps.reach(), new float[119]));
        assertThrows(IllegalArgumentException.class,
                () -> Lanczos.horizontalNative(new float[400], 4, taps.first, taps.count, new float[10], taps.maxTaps, taps.reach(), new float[160]));
        assertThrows(IllegalArgumentException.class,
                () -> Lanczos.horizontalNative(new float[200], 2, taps.first, taps.count, taps.packed(), taps.maxTaps, taps.reach(), out));
        float[][] rows = {new float[12], new float[12], new float[11]};
        assertThrows(IllegalArgumentException.class, () -> Lanczos.verticalNative(new float[12], rows, 3, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> Lanczos.verticalNative(new float[12], rows, 4, new float[4]));
        assertThrows(IllegalArgumentException.class, () -> Lanczos.verticalNative(new float[12], rows, 2, new float[1]));
        try (Mat row = new Mat(1, 4, CV_8UC(3))) {
            assertThrows(IllegalArgumentException.class, () -> Lanczos.storeNative(new float[10], 3, row.data().address()));
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
            for (int k = 0; k < count; k++) {
                rows[k] = new float[width + random.nextInt(3)]; // a kept ring's rows may be longer than the image's
                for (int i = 0; i < rows[k].length; i++) {
                    rows[k][i] = random.nextInt(256);
                }
                w[k] = random.nextFloat() - 0.2f; // the kernel's lobes weigh some rows negatively
            }
            float[] java = new float[width];
            float[] c = new float[width];
            Lanczos.vertical(java, rows, count, w);
            Lanczos.verticalNative(c, rows, count, w);
            assertArrayEquals(java, c, count + " rows of " + width);
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
            float[] javaLine = line.clone();
            byte[] java = new byte[line.length];
            Lanczos.store(javaLine, ch, java);
            try (Mat row = new Mat(1, pixels, CV_8UC(ch))) {
                Lanczos.storeNative(line, ch, row.data().address());
                byte[] c = new byte[line.length];
                row.data().get(c);
                assertArrayEquals(java, c, ch + " channels");
            }
        }
    }
}
