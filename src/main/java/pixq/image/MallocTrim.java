package pixq.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.Pointer;

/**
 * Hands glibc's free memory back to the system ({@code malloc_trim}), only where glibc's malloc is the one in use.
 * Under another allocator preloaded (tcmalloc, as ./pixq and the worker image run pixq) glibc's arenas hold nothing,
 * and two workers' first trims race glibc setting them up: a SIGSEGV in {@code malloc_trim} ended a 440-photo run
 * (1 in 12), and two threads' first {@code malloc_trim} under tcmalloc crash 18 of 3000 C processes (0 of 1000 under glibc).
 */
final class MallocTrim {
    private static final Pattern OTHER_MALLOC = Pattern.compile("lib(tcmalloc|jemalloc|mimalloc)[^/\\s]*\\.so");
    private static final boolean GLIBC_MALLOC = glibcMallocIn(processMaps());

    private MallocTrim() {}

    static void trim() {
        if (GLIBC_MALLOC) {
            Pointer.trimMemory();
        }
    }

    /** Whether glibc's malloc serves this process, given its memory map: no other allocator mapped. */
    static boolean glibcMallocIn(String maps) {
        return !OTHER_MALLOC.matcher(maps).find();
    }

    private static String processMaps() {
        try {
            return Files.readString(Path.of("/proc/self/maps"));
        } catch (IOException | RuntimeException e) {
            return ""; // no /proc (not Linux): JavaCPP's trim does what that system allows
        }
    }
}
