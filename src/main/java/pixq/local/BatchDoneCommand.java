package pixq.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import pixq.job.BatchCompletion;
import pixq.job.BatchCounts;
import pixq.job.BatchFinished;
import pixq.job.JobState;
import pixq.recipe.LauncherEnvironment;

/**
 * A batch's completion on this machine: a line in the log and, when a command is given ({@code --on-batch-done
 * CMD} of pixq run and serve), the event's JSON, as EventBridge would deliver it, on that command's standard
 * input. The command runs through {@code sh -c} in its own process group, for {@link #LIMIT} at most, then is
 * killed with everything it started; its failure is reported here and never fails the batch.
 */
public final class BatchDoneCommand implements BatchCompletion.Listener {
    public static final Duration LIMIT = Duration.ofMinutes(5);
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final String command;
    private final Duration limit;
    private final PrintStream log;
    private final boolean eventInLog;
    private final Clock clock;

    /**
     * @param command    a shell command, or null to log only
     * @param eventInLog the log gets the event's JSON (a function's log, as serve shows it), else a line for a person
     */
    public BatchDoneCommand(String command, Duration limit, PrintStream log, boolean eventInLog, Clock clock) {
        this.command = command;
        this.limit = limit;
        this.log = log;
        this.eventInLog = eventInLog;
        this.clock = clock;
    }

    @Override
    public void finished(BatchFinished event) {
        String json = event.event(clock.instant()).toString();
        if (eventInLog) {
            log.println("pixq: batch finished: " + json);
        } else {
            BatchCounts c = event.counts();
            log.printf("batch %s finished: %d succeeded, %d failed, %d canceled; manifest %s%n", event.batchId(),
                    c.of(JobState.SUCCEEDED), c.of(JobState.FAILED), c.of(JobState.CANCELED), event.manifest());
        }
        if (command != null && !command.isBlank()) {
            String problem = run(json);
            if (problem != null) {
                log.println("pixq: --on-batch-done for batch " + event.batchId() + " " + problem + " (the batch itself is done)");
            }
        }
    }

    /** Runs the command with {@code json} on its standard input; what went wrong, or null. */
    private String run(String json) {
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            argv.add(SETSID.toString()); // its own process group, so that the whole group can be killed
        }
        argv.addAll(List.of("/bin/sh", "-c", command));
        Process p = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            LauncherEnvironment.removeFrom(builder.environment());
            p = builder.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(json.getBytes(StandardCharsets.UTF_8));
                in.write('\n');
            } catch (IOException e) {
                // it exited without reading its input: its exit code says how it went
            }
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                return "ran longer than " + limit.toSeconds() + " s and was stopped";
            }
            return p.exitValue() == 0 ? null : "failed with exit code " + p.exitValue();
        } catch (IOException e) {
            return "could not be started: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "was stopped: pixq is stopping";
        } finally {
            if (p != null) {
                killTree(p);
            }
        }
    }

    /** Kills the command's process group and every descendant still alive (a shell's children outlive it otherwise). */
    private static void killTree(Process p) {
        if (Files.isExecutable(SETSID)) {
            try {
                new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
            } catch (IOException e) {
                // no kill(1): the descendants are killed one by one below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }
}
