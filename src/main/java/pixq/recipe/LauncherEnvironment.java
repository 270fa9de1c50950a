package pixq.recipe;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What {@code ./pixq} or the worker's image set in the environment for pixq's JVMs alone (tcmalloc preloaded, its
 * settings), which they name in {@value #LAUNCHER_ENV}. pixq's own child JVMs (serve's function instances) keep
 * it, as the image gives it to the worker; users' own commands never get it, so a script, or the tools it runs,
 * behave as they do in the user's shell. Here, beside the operations, because both a recipe's command step (the
 * engine) and --on-batch-done (the embedded backend) start users' commands.
 */
public final class LauncherEnvironment {
    static final String LAUNCHER_ENV = "PIXQ_LAUNCHER_ENV";

    private LauncherEnvironment() {}

    /** The launcher's variables in this environment, its list of them included; none where it set none. */
    public static Set<String> names(Map<String, String> environment) {
        Set<String> names = new HashSet<>();
        String listed = environment.get(LAUNCHER_ENV);
        if (listed != null) {
            names.add(LAUNCHER_ENV);
            names.addAll(Set.of(listed.trim().split(" +")));
        }
        return names;
    }

    /** Takes the launcher's variables out of a user command's environment, in place. */
    public static void removeFrom(Map<String, String> environment) {
        environment.keySet().removeAll(names(environment));
    }
}
