package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.cli.RunCommandTest.pixq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.Job;
import pixq.local.LocalState;

/**
 * What a command's time limit kills: the command and every process it started, including those that left its
 * tree and session ({@code setsid}, {@code nohup} in a subshell: grandchildren of init). The test finds them on
 * its own, by a variable of its own that the script exports, so it sees them whatever pixq does or does not mark.
 */
@Timeout(120)
class CommandTimeLimitTest {
    @TempDir
    Path dir;

    private final String mark = "PIXQ_TEST_MARK=" + UUID.randomUUID();

    @Test
    void a_command_stopped_at_its_limit_leaves_no_process_behind_not_even_one_that_left_its_session() throws Exception {
        Path script = script("( setsid sleep 303 & )", "( nohup sleep 304 & )", "sleep 60");
        // when
        long start = System.nanoTime();
        int exit = pixq("run", "--args-only", "x", "--out", dir.resolve("out").toString(), "--recipe", "command slow",
                "--command", "slow=" + script, "--command-timeout", "PT5S", "--state", dir.resolve("state").toString());
        // then: the job failed at its limit, and nothing it started runs on
        assertEquals(2, exit);
        assertTrue(System.nanoTime() - start < 30e9, "not stopped at its 5 s limit");
        assertTrue(onlyJob().lastError().contains("ran longer than its time limit of 5 s"), onlyJob().lastError());
        assertNoneLeft();
    }

    @Test
    void a_command_that_succeeds_leaves_no_background_process_behind() throws Exception {
        Path script = script("( setsid sleep 303 & )", "( nohup sleep 304 & )", "echo done > \"$PIXQ_OUTPUT_DIR/done.txt\"");
        // when
        int exit = pixq("run", "--args-only", "x", "--out", dir.resolve("out").toString(), "--recipe", "command quick",
                "--command", "quick=" + script, "--state", dir.resolve("state").toString());
        // then
        assertEquals(0, exit, onlyJob().lastError());
        assertTrue(Files.exists(dir.resolve("out").resolve(onlyJob().id() + "-done.txt")));
        assertNoneLeft();
    }

    private Path script(String... lines) throws IOException {
        Path script = dir.resolve("command.sh");
        Files.writeString(script, "#!/bin/sh\nexport " + mark + "\n" + String.join("\n", lines) + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private Job onlyJob() {
        try (LocalState state = LocalState.open(dir.resolve("state"))) {
            List<Job> jobs = state.jobs().list(null, null, 10);
            assertEquals(1, jobs.size());
            return jobs.get(0);
        }
    }

    /** Waits (with a deadline) until no live process carries this test's variable. */
    private void assertNoneLeft() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> left = marked();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // a poll on the condition, bounded by the deadline
            left = marked();
        }
        assertEquals(List.of(), left, "processes the command started are still running");
    }

    /** "PID: command line" of each live process (not a zombie) whose environment holds the mark. */
    private List<String> marked() {
        List<String> found = new ArrayList<>();
        try (Stream<Path> pids = Files.list(Path.of("/proc"))) {
            for (Path proc : pids.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String environ = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
                    if (List.of(environ.split("\0")).contains(mark)) {
                        found.add(proc.getFileName() + ": " + Files.readString(proc.resolve("cmdline")).replace('\0', ' ').strip());
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("this test reads /proc (Linux)", e);
        }
        return found;
    }

    /** Never leave a sleeper behind for the next test, whatever the code under test did. */
    @AfterEach
    void killLeftovers() {
        for (String process : marked()) {
            ProcessHandle.of(Long.parseLong(process.substring(0, process.indexOf(':')))).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
