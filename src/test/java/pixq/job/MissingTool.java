package pixq.job;

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
}
