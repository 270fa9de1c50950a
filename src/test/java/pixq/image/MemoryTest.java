package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.image.Images.anImage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.recipe.Recipes;

/** Native memory is released after every render: hundreds of renders do not grow the process. */
class MemoryTest {
    private static final String GROWN = "native memory grown by ";

    @TempDir
    Path dir;

    @Test
    void repeatedRendersDoNotLeakNativeMemory() throws Exception {
        // In a JVM of its own whose heap is fixed and touched at start, so that its resident set moves with native
        // memory only (in the test JVM, a heap committing or giving back pages moved it by ±100 MB).
        Path log = dir.resolve("renders.log");
        Process renders = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms192m", "-Xmx192m", "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"), MemoryTest.class.getName())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!renders.waitFor(3, TimeUnit.MINUTES)) {
            renders.destroyForcibly();
        }
        String printed = Files.readString(log);
        assertEquals(0, renders.exitValue(), printed);
        long grown = printed.lines().filter(l -> l.startsWith(GROWN)).mapToLong(l -> Long.parseLong(l.substring(GROWN.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no measure in: " + printed));
        // a leak of the decoded image alone would be 120 × 2.9 MB ≈ 350 MB
        assertTrue(grown < 80L << 20, "resident memory grew by " + (grown >> 20) + " MB over 120 renders");
    }

    /** The measure, in the JVM the test starts: the resident set's growth over 120 renders after 40 to warm up. */
    public static void main(String[] args) {
        OpenCvImageEngine engine = new OpenCvImageEngine();
        byte[] jpeg = anImage(1200, 800).quadrants().jpeg(); // decoded ≈ 2.9 MB, so a leak shows fast
        for (int i = 0; i < 40; i++) {
            engine.render(jpeg, Recipes.WEB, List.of());
        }
        System.gc();
        long before = Pointer.physicalBytes();
        for (int i = 0; i < 120; i++) {
            engine.render(jpeg, Recipes.WEB, List.of());
        }
        System.gc();
        System.out.println(GROWN + (Pointer.physicalBytes() - before));
    }
}
