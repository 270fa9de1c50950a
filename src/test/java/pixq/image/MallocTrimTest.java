package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import pixq.job.MissingTool;

@Timeout(60)
class MallocTrimTest {
    private static final Path TCMALLOC = Path.of("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4");

    @Test
    void glibcMallocIsTheOneInUseInAPlainProcessAndNotUnderPreloadedTcmalloc() throws Exception {
        if (!Files.exists(TCMALLOC)) {
            MissingTool.skipOrFail("no " + TCMALLOC + ": apt-get install libtcmalloc-minimal4 (.ci/run does)");
        }
        // given the memory maps of two real processes, one with tcmalloc preloaded as ./pixq preloads it
        String plain = mapsOfCat(null);
        String preloaded = mapsOfCat(TCMALLOC.toString());

        // then only the plain one is glibc's to trim
        assertTrue(MallocTrim.glibcMallocIn(plain), plain);
        assertFalse(MallocTrim.glibcMallocIn(preloaded), preloaded);
    }

    @Test
    void otherAllocatorsAreRecognisedByTheirLibraryAndNotByAFolderName() {
        assertFalse(MallocTrim.glibcMallocIn("7f00-7f10 r-xp 00000000 08:01 42 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n"));
        assertFalse(MallocTrim.glibcMallocIn("7f00-7f10 r-xp 00000000 08:01 42 /opt/lib/libmimalloc.so.2.0\n"));
        assertTrue(MallocTrim.glibcMallocIn("7f00-7f10 r--s 00000000 08:01 42 /home/tcmalloc-notes/photo.jpg\n"));
    }

    private static String mapsOfCat(String preload) throws IOException, InterruptedException {
        ProcessBuilder cat = new ProcessBuilder("cat", "/proc/self/maps").redirectErrorStream(true);
        cat.environment().remove("LD_PRELOAD");
        if (preload != null) {
            cat.environment().put("LD_PRELOAD", preload);
        }
        Process process = cat.start();
        String maps = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), maps);
        return maps;
    }
}
