package pixq.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import pixq.job.BatchProgress;
import pixq.job.JobState;

/**
 * One self-rewriting line on the terminal: done/total, failures, images/s and ETA. When the output is not
 * a terminal (a log file, CI) it prints a plain line every 10 % instead of rewriting.
 */
final class ProgressBar {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final Clock clock;
    private final boolean terminal;
    private final long startMillis;
    private final int total;
    private final int alreadyDone;
    private int lastDecile = -1;

    /** @param alreadyDone work finished before this run: counted as done, not in the rate */
    ProgressBar(PrintStream out, Clock clock, int total, int alreadyDone, boolean terminal) {
        this.out = out;
        this.clock = clock;
        this.total = total;
        this.alreadyDone = alreadyDone;
        this.terminal = terminal;
        this.startMillis = clock.millis();
    }

    synchronized void show(int done, int failed) {
        int decile = total == 0 ? 10 : done * 10 / total;
        if (!terminal && decile == lastDecile) {
            return;
        }
        lastDecile = decile;
        out.print((terminal ? "\r" : "") + line(done, failed) + (terminal ? "" : "\n"));
        out.flush();
    }

    synchronized void finish(int done, int failed) {
        if (terminal) {
            out.print("\r" + line(done, failed) + "\n");
        }
        out.flush();
    }

    String line(int done, int failed) {
        double seconds = Math.max(1, clock.millis() - startMillis) / 1000.0;
        double rate = (done - alreadyDone) / seconds;
        String eta = rate > 0 && done < total ? " ETA " + format(Duration.ofSeconds((long) ((total - done) / rate))) : "";
        return String.format("%s  %.1f images/s%s", bar(done, failed, total), rate, eta);
    }

    /** "[#####.....] 5/10  1 failed" */
    static String bar(int done, int failed, int total) {
        int filled = total == 0 ? WIDTH : (int) ((long) Math.min(done, total) * WIDTH / total);
        return String.format("[%s%s] %d/%d%s", "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
                failed == 0 ? "" : "  " + failed + " failed");
    }

    static String format(Duration d) {
        return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    /** A batch's progress as one line: the bar, the count per state, the ETA. */
    static String line(BatchProgress progress) {
        var counts = progress.counts();
        StringBuilder s = new StringBuilder(counts.batchId() + " " + bar((int) counts.finished(), 0, (int) counts.total()));
        for (JobState state : JobState.values()) {
            s.append(String.format("  %s %d", state.name().toLowerCase(), counts.of(state)));
        }
        if (progress.eta() != null) {
            s.append(String.format("  ETA %d:%02d", progress.eta().toMinutes(), progress.eta().toSecondsPart()));
        }
        return s.toString();
    }
}
