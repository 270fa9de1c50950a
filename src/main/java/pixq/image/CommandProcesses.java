package pixq.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Every process one command run started, found and killed together. The command gets a variable of its own,
 * {@value #MARKER}, which all its processes inherit, even those that left its tree: {@code ( setsid x & )} and
 * {@code nohup x &} give a grandchild of init, in another session, that no parent-child walk or process group
 * reaches. Scanning {@code /proc/PID/environ} for the variable needs no privilege, no cgroup and no helper
 * binary, so it works alike on a workstation, in the Lambda sandbox and in a Fargate container (where
 * {@code prctl(PR_SET_CHILD_SUBREAPER)} would take native code and cgroups are not delegated to the task).
 * Without /proc (not Linux) only the command's descendants are killed.
 */
final class CommandProcesses {
    static final String MARKER = "PIXQ_JOB_TOKEN";
    private static final Path PROC = Path.of("/proc");
    private static final Duration KILL_WITHIN = Duration.ofSeconds(10);
    private static final Duration REAPED_WITHIN = Duration.ofSeconds(2);

    private final String token = UUID.randomUUID().toString();
    /** The marker as /proc/PID/environ holds it: NAME=VALUE and the NUL that ends each entry. */
    private final byte[] entry = (MARKER + "=" + token + "\0").getBytes(StandardCharsets.UTF_8);

    /** Puts the marker into the environment of the command about to start. */
    void mark(Map<String, String> environment) {
        environment.put(MARKER, token);
    }

    /**
     * Kills the command and everything it started, wherever that went, and returns once none is left running
     * (a killed process that nobody reaps stays a zombie: it has no environment left and holds nothing). Gives
     * up after a few seconds: SIGKILL cannot be refused, so only a process stuck in the kernel lasts that long.
     */
    void killAll(Process command) {
        long deadline = System.nanoTime() + KILL_WITHIN.toNanos();
        List<ProcessHandle> killed = new ArrayList<>(command.descendants().toList());
        killed.forEach(ProcessHandle::destroyForcibly);
        command.destroyForcibly();
        while (true) {
            List<ProcessHandle> left = marked();
            left.forEach(ProcessHandle::destroyForcibly);
            killed.addAll(left);
            // a process forking at the moment of the scan has a child the next scan finds
            if (left.isEmpty() || System.nanoTime() - deadline > 0) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        // An orphan stays a zombie until init reaps it, a moment later: wait for that (briefly, in case this
        // init never reaps), so that whoever looks next (ps, the next job) finds it gone.
        long reaped = System.nanoTime() + REAPED_WITHIN.toNanos();
        while (killed.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() - reaped < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** The live processes carrying this run's marker; none when /proc cannot be read. */
    List<ProcessHandle> marked() {
        List<ProcessHandle> found = new ArrayList<>();
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : pids) {
                // the handle first: it pins the process's start time, so a kill never reaches a reused pid
                Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(dir.getFileName().toString()));
                if (handle.isPresent() && carriesMarker(dir.resolve("environ"))) {
                    found.add(handle.get());
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc here: the descendants killed above are all that can be found
        }
        return found;
    }

    private boolean carriesMarker(Path environ) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(environ);
        } catch (IOException e) {
            return false; // gone meanwhile, or another user's
        }
        outer:
        for (int i = 0; i + entry.length <= bytes.length; i++) {
            if (i > 0 && bytes[i - 1] != 0) {
                continue; // only at the start of a NAME=VALUE entry
            }
            for (int j = 0; j < entry.length; j++) {
                if (bytes[i + j] != entry[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
