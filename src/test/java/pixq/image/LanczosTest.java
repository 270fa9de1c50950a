package pixq.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC;

import java.util.ArrayList;
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
 * The filter's horizontal pass in C (pixq's image library) against its Java twin: the same floats, to the bit; and
 * the rows a thread keeps from one resize to the next change no pixel.
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
        for (int ch : new int[] {3, 4}) {
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
                () -> Lanczos.horizontalNative(new float[100], 1, taps.first, taps.count, taps.packed(), taps.maxTaps, taps.reach(), out));
    }
}
