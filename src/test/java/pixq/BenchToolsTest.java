package pixq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java tools under bench/ still compile against pixq's classes: nothing else builds them, and one of them
 * (WebBench.java) had stopped compiling when a method it calls changed.
 */
@Timeout(120)
class BenchToolsTest {
    @Test
    void everyBenchToolCompiles(@TempDir Path out) throws IOException {
        List<Path> tools;
        try (Stream<Path> files = Files.list(Path.of("bench"))) {
            tools = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        assertFalse(tools.isEmpty(), "no Java tools found under bench/");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertTrue(javac != null, "this JVM has no Java compiler (a JRE, not a JDK)");
        for (Path tool : tools) {
            // one at a time, as `java bench/X.java` runs them: each may declare helper classes of the same names
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            Path classes = Files.createDirectories(out.resolve(tool.getFileName().toString()));
            int status = javac.run(null, null, errors, "-proc:none", "-d", classes.toString(),
                    "-cp", System.getProperty("java.class.path"), tool.toString());
            assertEquals(0, status, tool + " does not compile:\n" + errors);
        }
    }
}
