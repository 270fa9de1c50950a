package pixq.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import pixq.job.MissingTool;

/** The filter's horizontal pass in C (pixq's image library) against its Java twin: the same floats, to the bit. */
@Timeout(60)
class LanczosTest {
    @BeforeAll
    static void library() {
        if (!NativeImage.loaded()) {
            MissingTool.skipOrFail(NativeImage.describe() + " (install gcc and libjpeg-dev, as .ci/run does, then mvn compile)");
        }
    }

    @Test
    void theNativePassAddsWhatTheJavaPassAdds() {
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
