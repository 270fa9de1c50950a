package pixq.image;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.image.Images.anImage;

import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import pixq.recipe.Recipes;

/** Native memory is released after every render: hundreds of renders do not grow the process. */
class MemoryTest {
    @Test
    void repeatedRendersDoNotLeakNativeMemory() {
        OpenCvImageEngine engine = new OpenCvImageEngine();
        byte[] jpeg = anImage(1200, 800).quadrants().jpeg(); // decoded ≈ 2.9 MB, so a leak shows fast
        for (int i = 0; i < 40; i++) {
            engine.render(jpeg, Recipes.WEB, List.of());
        }
        System.gc();
        long before = nativeBytes();
        for (int i = 0; i < 120; i++) {
            engine.render(jpeg, Recipes.WEB, List.of());
        }
        System.gc();
        long grown = nativeBytes() - before;
        // a leak of the decoded image alone would be 120 × 2.9 MB ≈ 350 MB
        assertTrue(grown < 80L << 20, "resident memory outside the Java heap grew by " + (grown >> 20) + " MB over 120 renders");
    }

    /** The resident set less the Java heap the JVM has committed (the heap may grow; that is not a leak). */
    private static long nativeBytes() {
        return Pointer.physicalBytes() - Runtime.getRuntime().totalMemory();
    }
}
