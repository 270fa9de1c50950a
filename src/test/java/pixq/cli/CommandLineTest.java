package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.local.LocalState;
import pixq.recipe.Recipes;

/** The command line's own gestures: help, refusals, counts. */
class CommandLineTest {
    @TempDir
    Path dir;

    /** What a command printed, on standard output and standard error together, and its exit code. */
    private record Ran(int exit, String printed) {}

    private static Ran pixq(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        try {
            PrintStream both = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            System.setOut(both);
            System.setErr(both);
            int exit = Main.commandLine(args).execute(args); // as main() builds it: only the command named, if any
            return new Ran(exit, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "status", "watch", "failures", "retry", "cancel", "submit", "redrive", "worker", "invoke"})
    void every_command_prints_its_help_and_exits_0(String command) {
        for (String help : List.of("--help", "-h")) {
            Ran ran = pixq(command, help);
            assertEquals(0, ran.exit(), command + " " + help + ": " + ran.printed());
            assertTrue(ran.printed().contains("Usage: pixq " + command), ran.printed());
        }
    }

    @Test
    void help_lists_every_command_and_a_mistyped_one_gets_suggestions() {
        for (List<String> args : List.of(List.of("--help"), List.of("help"))) {
            Ran ran = pixq(args.toArray(String[]::new));
            assertEquals(0, ran.exit(), ran.printed());
            for (String command : List.of("run", "status", "watch", "failures", "retry", "cancel", "submit", "redrive", "worker", "invoke", "serve")) {
                assertTrue(ran.printed().contains("\n  " + command + " "), command + " missing from:\n" + ran.printed());
            }
        }
        Ran help = pixq("help", "run");
        assertEquals(0, help.exit(), help.printed());
        assertTrue(help.printed().contains("Usage: pixq run"), help.printed());
        Ran typo = pixq("stauts");
        assertEquals(1, typo.exit(), typo.printed());
        assertTrue(typo.printed().contains("Did you mean: pixq status"), typo.printed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "100000"})
    void an_absurd_worker_count_is_refused_before_anything_is_queued(String workers) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(Path.of("samples", "gray.jpg"), in.resolve("a.jpg"));
        Ran ran = pixq("run", in.toString(), "--out", dir.resolve("out").toString(), "--state", dir.resolve("state").toString(),
                "--workers", workers);
        assertEquals(1, ran.exit(), ran.printed());
        assertTrue(ran.printed().contains("--workers must be 1 to"), ran.printed());
        assertTrue(Files.notExists(dir.resolve("state")), "nothing queued");
    }

    @Test
    void a_worker_with_no_pollers_is_refused() {
        Ran ran = pixq("worker", "--pollers", "0", "--queue-url", "http://127.0.0.1:9/q", "--table", "t");
        assertEquals(1, ran.exit(), ran.printed());
        assertTrue(ran.printed().contains("--pollers must be 1 to"), ran.printed());
    }

    @Test
    void canceling_a_batch_that_does_not_exist_exits_1() {
        Path state = dir.resolve("state");
        LocalState.open(state).close();
        Ran ran = pixq("cancel", "nosuch", "--state", state.toString());
        assertEquals(1, ran.exit(), ran.printed());
        assertTrue(ran.printed().contains("no batch nosuch"), ran.printed());
    }

    @Test
    void failures_says_how_many_it_shows_of_how_many() {
        // given 7 failed jobs
        Path state = dir.resolve("state");
        try (LocalState local = LocalState.open(state)) {
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                jobs.add(Job.queued(JobSpec.of("b", "file:///in/" + i + ".jpg", "file:///out/", Recipes.resolve("thumbnail"), List.of()),
                        Clock.systemUTC()));
            }
            local.jobs().insertNew(jobs);
            jobs.forEach(job -> local.jobs().update(job, job.start(Clock.systemUTC(), pixq.job.JobBuilders.LEASE).fail("broken", Clock.systemUTC())));
        }
        // when
        Ran ran = pixq("failures", "--limit", "5", "--state", state.toString());
        // then
        assertEquals(0, ran.exit(), ran.printed());
        assertTrue(ran.printed().contains("showing 5 of 7 failed jobs"), ran.printed());
    }
}
