package pixq.image;

import pixq.job.MissingTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The README's example job script, examples/python-job/myjob.py, for the tests that run it as a command. It needs
 * Debian's /usr/bin/python3 with Pillow and numpy (python3-pil, python3-numpy, installed by .ci/run): without them
 * the test is skipped saying why, or fails under CI=true.
 */
public final class ExampleJob {
    private ExampleJob() {}

    public static Path script() {
        Path script = Path.of("examples/python-job/myjob.py").toAbsolutePath();
        String why = missing();
        if (why != null) {
            MissingTool.skipOrFail(why);
        }
        return script;
    }

    private static String missing() {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            return "/usr/bin/python3 is missing (Debian: python3)";
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import PIL, numpy").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? null
                    : "/usr/bin/python3 cannot import PIL and numpy (Debian: python3-pil python3-numpy)";
        } catch (IOException e) {
            return "/usr/bin/python3 could not be started: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
