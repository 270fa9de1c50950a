package pixq.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceProcessTest {
    @Test
    void an_instance_keeps_a_few_of_serves_variables_and_the_launchers_allocator_then_gets_its_functions() {
        Map<String, String> serves = Map.of("PATH", "/usr/bin", "EDITOR", "vi", "QUEUE_URL", "serve's own",
                "LD_PRELOAD", "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4", "TCMALLOC_RELEASE_RATE", "10",
                "PIXQ_LAUNCHER_ENV", "LD_PRELOAD TCMALLOC_RELEASE_RATE");
        Map<String, String> env = InstanceProcess.environment(serves, Map.of("QUEUE_URL", "the function's"), Path.of("/tmp/i1"));
        assertEquals(Map.of("PATH", "/usr/bin", "QUEUE_URL", "the function's", "TMPDIR", "/tmp/i1",
                "LD_PRELOAD", "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4", "TCMALLOC_RELEASE_RATE", "10",
                "PIXQ_LAUNCHER_ENV", "LD_PRELOAD TCMALLOC_RELEASE_RATE"), env);
    }

    @Test
    void without_the_launcher_an_instance_preloads_nothing_of_serves() {
        Map<String, String> env = InstanceProcess.environment(Map.of("PATH", "/usr/bin", "LD_PRELOAD", "/opt/libfoo.so"),
                Map.of(), Path.of("/tmp/i2"));
        assertEquals(Map.of("PATH", "/usr/bin", "TMPDIR", "/tmp/i2"), env);
    }
}
