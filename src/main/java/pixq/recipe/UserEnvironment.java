package pixq.recipe;

import java.util.Map;

/**
 * The environment a user's own command gets: the one pixq was started with, less what {@code ./pixq} or the
 * worker's image set for pixq's JVM alone (tcmalloc preloaded, its settings), which they name in
 * {@value #LAUNCHER_ENV}. A user's script, or the tools it runs, then behave as they do in the user's shell. Here,
 * beside the operations, because both a recipe's command step (the engine) and --on-batch-done (the embedded
 * backend) start users' commands.
 */
public final class UserEnvironment {
    static final String LAUNCHER_ENV = "PIXQ_LAUNCHER_ENV";

    private UserEnvironment() {}

    /** Takes the launcher's own variables out of a child's environment, in place. */
    public static void restore(Map<String, String> environment) {
        String names = environment.remove(LAUNCHER_ENV);
        if (names != null) {
            for (String name : names.split(" ")) {
                environment.remove(name);
            }
        }
    }
}
