package pixq.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LauncherEnvironmentTest {
    private static final Map<String, String> LAUNCHED = Map.of("PATH", "/usr/bin", "LD_PRELOAD", "/usr/lib/libtcmalloc_minimal.so.4",
            "TCMALLOC_RELEASE_RATE", "10", "PIXQ_LAUNCHER_ENV", "LD_PRELOAD TCMALLOC_RELEASE_RATE");

    @Test
    void the_launchers_variables_are_the_ones_it_lists_and_the_list() {
        assertEquals(Set.of("LD_PRELOAD", "TCMALLOC_RELEASE_RATE", "PIXQ_LAUNCHER_ENV"), LauncherEnvironment.names(LAUNCHED));
    }

    @Test
    void a_users_command_gets_the_rest() {
        Map<String, String> env = new HashMap<>(LAUNCHED);
        LauncherEnvironment.removeFrom(env);
        assertEquals(Map.of("PATH", "/usr/bin"), env);
    }

    @Test
    void a_users_own_preload_is_theirs_and_stays() {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin", "LD_PRELOAD", "/opt/my/libfoo.so"));
        assertEquals(Set.of(), LauncherEnvironment.names(env));
        LauncherEnvironment.removeFrom(env);
        assertEquals(Map.of("PATH", "/usr/bin", "LD_PRELOAD", "/opt/my/libfoo.so"), env);
    }
}
