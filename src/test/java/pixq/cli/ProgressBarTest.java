package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import pixq.job.MutableClock;

class ProgressBarTest {
    @Test
    void the_rate_and_eta_count_only_the_work_of_this_run() {
        // given a resumed run: 2 of 10 were done before
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        ProgressBar bar = new ProgressBar(new PrintStream(new ByteArrayOutputStream()), clock, 10, 2, false);
        // when 4 more finish in 2 seconds, one of them failed
        clock.advance(Duration.ofSeconds(2));
        // then
        assertEquals("[##################............] 6/10  1 failed  2.0 images/s ETA 0:00:02", bar.line(6, 1));
    }

    @Test
    void when_not_on_a_terminal_it_prints_a_plain_line_every_tenth() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(out, true), Clock.systemUTC(), 20, 0, false);
        for (int done = 0; done <= 20; done++) {
            bar.show(done, 0);
        }
        assertEquals(11, out.toString().lines().count());
    }
}
