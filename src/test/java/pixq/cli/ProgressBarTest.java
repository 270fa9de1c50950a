package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    /** A clock the test moves. */
    private static final class MovingClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void the_rate_and_eta_count_only_the_work_of_this_run() {
        // given a resumed run: 2 of 10 were done before
        MovingClock clock = new MovingClock();
        ProgressBar bar = new ProgressBar(new PrintStream(new ByteArrayOutputStream()), clock, 10, 2, false);
        // when 4 more finish in 2 seconds, one of them failed
        clock.now = clock.now.plus(Duration.ofSeconds(2));
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
