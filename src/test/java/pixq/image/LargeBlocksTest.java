package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.MissingTool;

/**
 * libpixqlarge.so, preloaded before tcmalloc as ./pixq preloads it, checked by a C program (src/test/c) that takes
 * blocks through malloc, calloc, realloc and the aligned allocations, and reads its own memory map: large blocks are
 * mappings of their own, gone when freed; small ones stay tcmalloc's; bytes survive every realloc.
 */
@Timeout(120)
class LargeBlocksTest {
    private static final Path LIBRARY = Path.of("target/cli/natives/libpixqlarge.so");
    private static final Path TCMALLOC = Path.of("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4");
    private static final Path CHECK = Path.of("src/test/c/large_blocks_check.c");

    @Test
    void largeBlocksAreMappedApartAndUnmappedWhenFreedWhileSmallOnesStayTcmallocs(@TempDir Path dir) throws Exception {
        if (!Files.exists(TCMALLOC) || !Files.exists(Path.of("/usr/bin/cc"))) {
            MissingTool.skipOrFail("no " + TCMALLOC + " or cc: apt-get install libtcmalloc-minimal4 gcc (.ci/run does)");
        }
        if (!Files.exists(LIBRARY)) {
            MissingTool.skipOrFail("no " + LIBRARY + ": mvn compile builds it where tcmalloc and cc are");
        }
        String thp = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        assumeTrue(thp.contains("[always]") || thp.contains("[madvise]"),
                "this kernel gives no transparent huge pages (" + thp.strip() + "): the library passes every block to tcmalloc");
        Path check = dir.resolve("check");
        assertEquals("", run(null, "/usr/bin/cc", "-O0", "-Wall", "-Werror", "-o", check.toString(), CHECK.toString(), "-lpthread"));

        String report = run(LIBRARY.toAbsolutePath() + " " + TCMALLOC, check.toString());

        assertFalse(report.contains("FAIL"), report);
        assertEquals(17, report.lines().filter(l -> l.startsWith("ok ")).count(), report);
    }

    /** The command's output; it must exit 0 within a minute. */
    private static String run(String preload, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("LD_PRELOAD");
        if (preload != null) {
            builder.environment().put("LD_PRELOAD", preload);
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "finished within a minute");
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
