package pixq.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import pixq.job.DaemonThreads;
import pixq.recipe.LauncherEnvironment;

/**
 * The process of one function instance: started with a temporary folder of its own and only the host's
 * environment it needs, its output read line by line, its end reported, and stopped as a whole tree.
 */
final class InstanceProcess implements AutoCloseable {
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    /** What the instance keeps of serve's own environment: paths, locale and AWS credentials. */
    private static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "TMPDIR", "TZ", "JAVA_HOME",
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE", "PIXQ_DEBUG");

    private final Process process;
    private final Path tmp;

    private InstanceProcess(Process process, Path tmp) {
        this.process = process;
        this.tmp = tmp;
    }

    /** A new temporary folder for the instance of {@code function}. */
    static Path newTmp(String function) throws IOException {
        return Files.createTempDirectory("pixq-" + function + "-");
    }

    /** The command in a session of its own: Ctrl-C in serve's terminal must not kill an instance in mid-invocation (serve stops it after). */
    static List<String> inOwnSession(List<String> command) {
        List<String> wrapped = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            wrapped.add(SETSID.toString());
        }
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Starts {@code command} with {@code env} over the inherited variables, {@code tmp} as its TMPDIR.
     *
     * @param output told each line the process writes (standard output and error together)
     * @param exited told the exit status once the process has ended
     */
    static InstanceProcess start(String name, List<String> command, Map<String, String> env, Path tmp, Consumer<String> output,
            IntConsumer exited) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> processEnv = builder.environment();
        Map<String, String> instanceEnv = environment(processEnv, env, tmp);
        processEnv.clear();
        processEnv.putAll(instanceEnv);
        Process process = builder.start();
        DaemonThreads.named("instance-output-" + name).newThread(() -> pump(process, output)).start();
        process.onExit().thenRun(() -> exited.accept(process.exitValue()));
        return new InstanceProcess(process, tmp);
    }

    /**
     * An instance's environment: the few variables it inherits from serve's, what the launcher set for pixq's JVMs
     * (tcmalloc, as the worker image sets it), then the function's own, and {@code tmp} as its TMPDIR.
     */
    static Map<String, String> environment(Map<String, String> serves, Map<String, String> function, Path tmp) {
        Set<String> kept = new HashSet<>(INHERITED);
        kept.addAll(LauncherEnvironment.names(serves));
        Map<String, String> env = new HashMap<>(serves);
        env.keySet().retainAll(kept);
        env.putAll(function);
        // Each execution environment has a /tmp of its own, as on Lambda: the runtime client unpacks its JNI
        // library there, and two instances writing one file at once crash (SIGBUS).
        env.put("TMPDIR", tmp.toString());
        return env;
    }

    private static void pump(Process process, Consumer<String> output) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                output.accept(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Ends it at once, as Lambda ends an environment whose invocation timed out. */
    void kill() {
        process.destroyForcibly();
    }

    /** The instance's temporary folder, as it is while the instance lives (for its test). */
    Path tmp() {
        return tmp;
    }

    @Override
    public void close() {
        // The whole tree: what the function started dies with it.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(tmp);
    }

    static void deleteTree(Path folder) {
        try (var files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover in the system's temporary folder is harmless
        }
    }
}
