package pixq.job;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A test's outside tool (moto, a browser, a CLI, a Debian package) is missing: CI must have it, since .ci/run
 * installs it, so there the test fails; elsewhere it is skipped, saying why.
 */
public final class MissingTool {
    private MissingTool() {}

    /** Never returns: fails under CI=true, else aborts the test as skipped. Typed so a lookup can return it. */
    public static <V> V skipOrFail(String why) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but " + why);
        }
        return Assumptions.abort("skipped: " + why);
    }

    /** Whether an executable of this name is in a folder of PATH. */
    public static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /** For a tool a test can do without (strace watching a run): whether it is on PATH; under CI=true it must be. */
    public static boolean optional(String tool) {
        if (!onPath(tool) && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("CI=true but " + tool + " is not installed (.ci/run installs it from Debian)");
        }
        return onPath(tool);
    }
}
