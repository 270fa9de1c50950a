package pixq.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserEnvironmentTest {
    @Test
    void what_the_launcher_set_for_the_jvm_is_taken_out_and_the_rest_kept() {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin", "LD_PRELOAD", "/usr/lib/libtcmalloc_minimal.so.4",
                "TCMALLOC_RELEASE_RATE", "10", "PIXQ_LAUNCHER_ENV", "LD_PRELOAD TCMALLOC_RELEASE_RATE"));
        UserEnvironment.restore(env);
        assertEquals(Map.of("PATH", "/usr/bin"), env);
    }

    @Test
    void a_users_own_preload_is_theirs_and_stays() {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin", "LD_PRELOAD", "/opt/my/libfoo.so"));
        UserEnvironment.restore(env);
        assertEquals(Map.of("PATH", "/usr/bin", "LD_PRELOAD", "/opt/my/libfoo.so"), env);
    }
}
