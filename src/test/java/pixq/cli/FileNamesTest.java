package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.Job;
import pixq.job.JobState;
import pixq.local.LocalState;

/** Everyday file names, as photo folders hold them, through {@code pixq run}. */
class FileNamesTest {
    private static final Path SAMPLE = Path.of("samples", "gray.jpg");
    private static final String LONG_NAME = "long-" + "x".repeat(231) + ".jpg";

    /** Seventeen names that a file system accepts and photo folders hold. */
    static final List<String> EVERYDAY_NAMES = List.of(
            "plain.jpg",
            "IMG_0002.JPG",
            "IMG 0001 (1).jpg",
            "sub dir/été #2.jpg",
            "name with spaces ü.jpg",
            "日本の写真.jpg",
            "it's mine.jpg",
            "#hashtag.jpg",
            "tom & jerry.jpg",
            "photo[1].jpg",
            "literal%20percent.jpg",
            "-leading-dash.jpg",
            "a..b.jpg",
            "100% done? yes!.jpeg",
            "a+b=c;d,e@f.png",
            "back\\slash \"quoted\".jpg",
            LONG_NAME);

    @TempDir
    Path dir;

    @Test
    void every_everyday_name_is_processed_into_an_output_named_after_it() throws IOException {
        // given
        assertEquals(17, EVERYDAY_NAMES.size());
        assertEquals(240, LONG_NAME.length());
        Path in = dir.resolve("in");
        for (String name : EVERYDAY_NAMES) {
            Path file = in.resolve(name);
            Files.createDirectories(file.getParent());
            Files.copy(SAMPLE, file);
        }
        // when
        int exit = Main.commandLine().execute("run", in.toString(), "--out", dir.resolve("out").toString(),
                "--state", dir.resolve("state").toString(), "--recipe", "thumbnail");
        // then every input gave its output, in its sub-folder, named after the input
        assertEquals(0, exit);
        Set<String> expected = EVERYDAY_NAMES.stream()
                .map(name -> name.substring(0, name.lastIndexOf('.')) + "-thumb.jpg")
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, outputs(dir.resolve("out")));
    }

    @Test
    void a_name_too_long_for_the_file_system_once_suffixed_is_shortened_the_same_way_every_time() throws IOException {
        // given a 254-byte name: legal, but "-1600.jpg" after its stem passes the 255-byte limit
        String name = "é".repeat(122) + "-long1.jpg";
        assertEquals(254, name.getBytes(StandardCharsets.UTF_8).length);
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(SAMPLE, in.resolve(name));
        String[] run = {"run", in.toString(), "--out", dir.resolve("out").toString(),
            "--state", dir.resolve("state").toString(), "--recipe", "web"};
        // when
        assertEquals(0, Main.commandLine().execute(run));
        // then three outputs, each within 255 bytes, all with the same shortened stem
        Set<String> written = outputs(dir.resolve("out"));
        assertEquals(3, written.size(), written.toString());
        for (String output : written) {
            assertTrue(output.getBytes(StandardCharsets.UTF_8).length <= 255, output);
            assertTrue(output.startsWith("é".repeat(100)), output);
        }
        assertEquals(1, written.stream().map(o -> o.substring(0, o.lastIndexOf('-'))).distinct().count(), written.toString());
    }

    @Test
    void inputs_that_would_write_the_same_output_are_refused_before_any_work_naming_both() throws IOException {
        // given photo.jpg and photo.png in one folder, photo.jpg in another, and three formats of one name
        for (String name : List.of("A/photo.jpg", "A/photo.png", "B/photo.jpg", "C/plain.jpg", "C/plain.bmp",
                "C/plain.webp", "C/alone.jpg", "C/pair.jpg", "C/pair.png")) {
            Files.createDirectories(dir.resolve(name).getParent());
            Files.copy(SAMPLE, dir.resolve(name));
        }
        // when
        Run run = pixqWithErr("run", dir.resolve("A").toString(), dir.resolve("B").toString(),
                dir.resolve("C").toString(), "--out", dir.resolve("out").toString(), "--state", dir.resolve("state").toString());
        // then nothing ran, and the message names the inputs of each clash (in name order) and the output they share
        String message = run.err();
        assertEquals(1, run.exit(), message);
        assertTrue(Files.notExists(dir.resolve("out")), "no output written");
        assertTrue(Files.notExists(dir.resolve("state")), "nothing queued");
        assertTrue(message.contains("8 inputs would write the same output"), message);
        assertTrue(message.contains(dir.resolve("A/photo.jpg") + " and " + dir.resolve("A/photo.png") + " and "
                + dir.resolve("B/photo.jpg") + " would all write " + dir.resolve("out/photo-thumb.jpg")), message);
        assertTrue(message.contains(dir.resolve("C/plain.bmp") + " and " + dir.resolve("C/plain.jpg") + " and "
                + dir.resolve("C/plain.webp") + " would all write " + dir.resolve("out/plain-thumb.jpg")), message);
        assertTrue(message.contains(dir.resolve("C/pair.jpg") + " and " + dir.resolve("C/pair.png") + " would both write "
                + dir.resolve("out/pair-thumb.jpg")), message);
        assertTrue(message.contains("Rename all but one of each group"), message);
    }

    @Test
    void an_image_named_twice_is_one_job_of_the_batch_its_folder_alone_makes() throws IOException {
        // given a folder of two photos, run once
        for (String name : List.of("in/IMG 0001 (1).jpg", "in/b.jpg")) {
            Files.createDirectories(dir.resolve(name).getParent());
            Files.copy(SAMPLE, dir.resolve(name));
        }
        String[] folder = {"run", dir.resolve("in").toString(), "--out", dir.resolve("out").toString(), "--state", dir.resolve("state").toString()};
        Run first = pixqWithErr(folder);
        assertEquals(0, first.exit(), first.err());

        // when one of them is named again before its folder
        Run again = pixqWithErr("run", dir.resolve("in/IMG 0001 (1).jpg").toString(), dir.resolve("in").toString(),
                "--out", dir.resolve("out").toString(), "--state", dir.resolve("state").toString());

        // then it is the same batch, with nothing new to do, and the run says the name given twice counts once
        String batch = first.err().lines().filter(l -> l.startsWith("batch ")).findFirst().orElseThrow().split("[ :]")[1];
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("batch " + batch + ": 2 images (1 more named twice: done once), 0 new jobs"), again.err());
    }

    @Test
    void a_later_run_never_replaces_an_output_made_from_another_input() throws IOException {
        // given out/photo-thumb.jpg made from A/photo.jpg
        for (String name : List.of("A/photo.jpg", "B/photo.png")) {
            Files.createDirectories(dir.resolve(name).getParent());
            Files.copy(SAMPLE, dir.resolve(name));
        }
        String out = dir.resolve("out").toString();
        String state = dir.resolve("state").toString();
        assertEquals(0, Main.commandLine().execute("run", dir.resolve("A").toString(), "--out", out, "--state", state));
        byte[] made = Files.readAllBytes(dir.resolve("out/photo-thumb.jpg"));
        // when another folder's photo.png is run into the same output folder
        int exit = Main.commandLine().execute("run", dir.resolve("B").toString(), "--out", out, "--state", state, "--recipe",
                "fit 10 | jpeg -thumb");
        // then its job fails saying why, and the output is still A's
        assertEquals(2, exit);
        assertArrayEquals(made, Files.readAllBytes(dir.resolve("out/photo-thumb.jpg")));
        try (LocalState local = LocalState.open(dir.resolve("state"))) {
            Job refused = local.jobs().list(null, JobState.FAILED, 10).get(0);
            assertTrue(refused.lastError().contains("made from " + dir.resolve("A/photo.jpg").toUri()), refused.lastError());
        }
    }

    @Test
    void names_that_are_not_utf8_keep_their_own_bytes_and_two_of_them_never_clash() throws IOException {
        // given caf\xE9.jpg and caf\xE8.jpg in Latin-1, as an old archive unpacks them (both read "caf\uFFFD.jpg" in Java)
        Path in = Files.createDirectories(dir.resolve("in"));
        Path acute = Path.of(URI.create(in.toUri() + "caf%E9.jpg"));
        Path grave = Path.of(URI.create(in.toUri() + "caf%E8.jpg"));
        Files.copy(SAMPLE, acute);
        Files.copy(SAMPLE, grave);
        Path out = dir.resolve("out");
        // when
        Run run = pixqWithErr("run", in.toString(), "--out", out.toString(), "--recipe", "fit 64x64 | png", "--state", dir.resolve("state").toString());
        // then both ran, each output named with its input's bytes
        assertEquals(0, run.exit(), run.err());
        assertTrue(Files.isRegularFile(Path.of(URI.create(out.toUri() + "caf%E9.png"))), outputs(out).toString());
        assertTrue(Files.isRegularFile(Path.of(URI.create(out.toUri() + "caf%E8.png"))), outputs(out).toString());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(2, files.count(), "two files, though both names print as " + outputs(out));
        }
    }

    private static Set<String> outputs(Path out) throws IOException {
        try (Stream<Path> files = Files.walk(out)) {
            return files.filter(Files::isRegularFile).map(f -> out.relativize(f).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private record Run(int exit, String err) {}

    /** The CLI with these arguments, and what it wrote on standard error. */
    private static Run pixqWithErr(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.commandLine().execute(args);
            return new Run(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }
}
