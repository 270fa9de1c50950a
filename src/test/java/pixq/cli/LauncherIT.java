package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.aws.Artifacts;
import pixq.job.MissingTool;

/**
 * The {@code ./pixq} launcher as a user runs it, on the packaged jar (an integration test: it runs after
 * {@code package}), under an address-space limit such as batch schedulers set.
 */
class LauncherIT {
    private static final Path REPO = Path.of("").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void under_an_address_space_limit_the_launcher_sizes_the_jvm_and_leaves_no_crash_report() throws Exception {
        // given no class-data archive (or AOT cache) yet, so that its making runs under the limit too
        try (Stream<Path> archives = Files.list(REPO.resolve("target"))) {
            for (Path jsa : archives.filter(p -> p.getFileName().toString().matches("pixq-.*\\.(jsa|aot)")).toList()) {
                Files.delete(jsa);
            }
        }
        // when
        Result run = underLimit(4_000_000, "run", REPO.resolve("samples").toString(), "--out", "out", "--state", "state");
        // then
        assertEquals(0, run.exit(), run.output());
        try (Stream<Path> outputs = Files.list(dir.resolve("out"))) {
            assertEquals(5, outputs.count(), run.output());
        }
        assertEquals(List.of(), crashReports(dir));
        assertEquals(List.of(), crashReports(REPO));
    }

    @Test
    void under_too_small_a_limit_the_launcher_says_what_to_set() throws Exception {
        Result run = underLimit(1_000_000, "run", REPO.resolve("samples").toString(), "--out", "out");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("the address-space limit (ulimit -v) is 976 MiB; pixq needs 1400 MiB"), run.output());
        assertEquals(List.of(), crashReports(dir));
    }

    @Test
    void without_java_on_the_path_the_launcher_says_what_to_install() throws Exception {
        // given a PATH that holds bash and nothing else
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Files.copy(Path.of("/bin/bash"), bin.resolve("bash"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        // when
        Result run = run(Map.of("PATH", bin.toString()), "--version");
        // then a refusal that names what is missing, not a silent exit
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().startsWith("pixq: no java on PATH: pixq runs on a JDK, 17 or later"), run.output());
    }

    @Test
    void a_link_to_the_launcher_runs_the_checkout_it_points_to() throws Exception {
        // given the launcher linked from another folder, as into ~/bin
        Path link = Files.createSymbolicLink(Files.createDirectory(dir.resolve("bin")).resolve("pixq"), REPO.resolve("pixq"));
        try {
            // when
            Artifacts.Run run = Artifacts.run(new ProcessBuilder(link.toString(), "--version").directory(dir.toFile()).redirectErrorStream(true));
            // then the checkout's jar runs: no build attempted in the link's folder
            assertEquals(0, run.exit(), run.output());
            assertEquals("pixq (development build)", run.output().lines().findFirst().orElse(""), run.output());
        } finally {
            Files.delete(link); // the temp folder's cleanup warns of links that point out of it
        }
    }

    @Test
    void a_jar_rebuilt_after_its_archive_gets_a_new_one_and_standard_output_stays_pixqs() throws Exception {
        // given an archive made for the jar as it is
        Result first = run(Map.of(), "--version");
        // only pixq's own output: its version, and whether it runs its native image library (where the build made it)
        Path library = REPO.resolve("target/cli/natives/libpixqimage.so").toAbsolutePath();
        List<String> lines = first.output().lines().toList();
        assertEquals(2, lines.size(), first.output());
        assertEquals("pixq (development build)", lines.get(0));
        assertTrue(Files.exists(library)
                ? lines.get(1).matches("native image library " + java.util.regex.Pattern.quote(library.toString())
                        + ": JPEG rows streamed into the resize, the filter in C \\((AVX2|portable) loops\\)")
                : lines.get(1).equals("no native image library (-Dpixq.imageLibrary is not set): JPEGs decoded whole, the resize all in Java"),
                lines.get(1));
        List<Path> before = archives();
        // when the jar is rebuilt (a new time, as `mvn package` gives it)
        Path jar = REPO.resolve("target/pixq.jar");
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
        Result second = run(Map.of(), "--version");
        // then this JDK's old archive is replaced by one the JVM will take (another JDK's stays)
        assertEquals(0, second.exit(), second.output());
        List<Path> after = archives();
        assertEquals(1, before.stream().filter(p -> !after.contains(p)).count(), before + " then " + after);
        assertEquals(1, after.stream().filter(p -> !before.contains(p)).count(), before + " then " + after);
        // and taken: -Xshare:on makes the JVM refuse to start without it
        Result taken = run(Map.of("PIXQ_JAVA_OPTS", "-Xshare:on"), "--version");
        assertEquals(0, taken.exit(), taken.output());
    }

    @Test
    void tcmalloc_runs_pixq_where_installed_and_the_users_commands_get_the_users_environment() throws Exception {
        // given tcmalloc (CI installs it), and commands that write down their own environment and what their JVM loaded
        Path tcmalloc = Path.of("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4");
        if (!Files.exists(tcmalloc)) {
            MissingTool.skipOrFail("no " + tcmalloc + ": apt-get install libtcmalloc-minimal4 (.ci/run does)");
        }
        Path probe = dir.resolve("probe.sh");
        Files.writeString(probe, """
                #!/bin/sh
                p=$PPID
                while [ "$(cat /proc/$p/comm)" != java ]; do p=$(cut -d' ' -f4 /proc/$p/stat); done
                { echo "command: ${LD_PRELOAD-unset} ${TCMALLOC_MAX_TOTAL_THREAD_CACHE_BYTES-unset} ${PIXQ_LAUNCHER_ENV-unset}"
                  echo "jvm: $(grep -c libtcmalloc /proc/$p/maps) $(grep -c libpixqlarge /proc/$p/maps)"; } > "${PIXQ_OUTPUT_DIR:-$1}/env.txt"
                """);
        probe.toFile().setExecutable(true);
        // when run as a user does, then with glibc's malloc chosen (an LD_PRELOAD of their own, empty)
        Result plain = run(Map.of(), probeRun("plain", probe));
        Result glibc = run(Map.of("LD_PRELOAD", ""), probeRun("glibc", probe));
        // then tcmalloc is the JVM's, with pixq's large blocks in front of it (mvn compile built them beside tcmalloc),
        // and none of it reaches the command, nor the batch's --on-batch-done
        assertEquals(0, plain.exit(), plain.output());
        assertTrue(envSeen("plain").matches("command: unset unset unset\njvm: [1-9][0-9]* [1-9][0-9]*\n"), envSeen("plain"));
        String done = Files.readString(dir.resolve("plain-done/env.txt"));
        assertEquals("command: unset unset unset", done.lines().findFirst().orElse(""), done);
        // and the user's own choice reaches both, untouched
        assertEquals(0, glibc.exit(), glibc.output());
        assertEquals("command:  unset unset\njvm: 0 0\n", envSeen("glibc"));
    }

    @Test
    void sqlite_jdbc_reads_its_library_where_the_build_put_it_not_a_copy_in_the_temp_folder() throws Exception {
        // given a command that writes down where its JVM mapped sqlite-jdbc's library from, and a temp folder to watch
        Path temp = Files.createDirectory(dir.resolve("temp"));
        Path probe = dir.resolve("sqlite.sh");
        Files.writeString(probe, """
                #!/bin/sh
                p=$PPID
                while [ "$(cat /proc/$p/comm)" != java ]; do p=$(cut -d' ' -f4 /proc/$p/stat); done
                grep -o '/[^ ]*sqlitejdbc[^ ]*' /proc/$p/maps | sort -u > "$PIXQ_OUTPUT_DIR/maps.txt"
                ls -A '%s' > "$PIXQ_OUTPUT_DIR/temp.txt"
                """.formatted(temp));
        probe.toFile().setExecutable(true);
        // when
        Result run = run(Map.of("PIXQ_JAVA_OPTS", "-Djava.io.tmpdir=" + temp), "run", "--args-only", "a", "--out", "out",
                "--state", "state", "--recipe", "command probe", "--command", "probe=" + probe);
        // then the one the build unpacked, and nothing of sqlite's in the temp folder while pixq runs
        assertEquals(0, run.exit(), run.output());
        assertEquals(REPO.resolve("target/cli/natives/libsqlitejdbc.so") + "\n", output("out", "-maps.txt"));
        assertEquals("", output("out", "-temp.txt").lines().filter(l -> l.contains("sqlite")).reduce("", String::concat));
    }

    @Test
    void jpegs_the_launcher_shrinks_are_streamed_and_filtered_by_the_library_the_build_made() throws Exception {
        // given the library mvn compile builds where gcc and libjpeg's headers are (CI installs both)
        if (!Files.isRegularFile(REPO.resolve("target/cli/natives/libpixqimage.so"))) {
            MissingTool.skipOrFail("no target/cli/natives/libpixqimage.so: apt-get install gcc libjpeg-dev, then mvn compile (.ci/run does)");
        }
        // when a JPEG is shrunk as a user does it, with the JVM naming each native method it links, and its flags
        Result run = run(Map.of("PIXQ_JAVA_OPTS", "-verbose:jni -XX:+PrintFlagsFinal"), "run",
                REPO.resolve("samples/landscape.jpg").toString(), "--out", "out", "--state", "state", "--recipe",
                "orient | fit 64x64 | jpeg 80");
        // then its rows came from the launcher's library, and went through the filter's three steps there
        assertEquals(0, run.exit(), run.output());
        for (String method : List.of("JpegRows.readRow", "Lanczos.verticalNative", "Lanczos.horizontalNative", "Lanczos.storeNative")) {
            assertTrue(run.output().contains("pixq.image." + method), method + " not linked:\n" + run.output());
        }
        // and so the JVM compiled with its quick tier only: no pixq loop waits for C2
        assertTrue(Pattern.compile("TieredStopAtLevel\\s+= 1\\b").matcher(run.output()).find(), run.output());
    }

    private String[] probeRun(String name, Path probe) throws IOException {
        Files.createDirectories(dir.resolve(name + "-done"));
        return new String[] {"run", "--args-only", "a", "--out", name, "--state", name + "-state", "--recipe", "command probe",
            "--command", "probe=" + probe, "--on-batch-done", probe + " " + dir.resolve(name + "-done")};
    }

    /** What the probe of that run wrote, its one output. */
    private String envSeen(String run) throws IOException {
        return output(run, "-env.txt");
    }

    /** The output of that run whose name ends so. */
    private String output(String run, String ending) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve(run))) {
            return Files.readString(files.filter(p -> p.getFileName().toString().endsWith(ending)).findFirst().orElseThrow());
        }
    }

    private List<Path> archives() throws IOException {
        try (Stream<Path> files = Files.list(REPO.resolve("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("pixq-.*\\.(jsa|aot)")).sorted().toList();
        }
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        return launch(0, env, args);
    }

    private record Result(int exit, String output) {}

    private Result underLimit(long kilobytes, String... args) throws Exception {
        return launch(kilobytes, Map.of(), args);
    }

    /** The launcher with these arguments and environment, under an address-space limit (0: none). */
    private Result launch(long kilobytes, Map<String, String> env, String... args) throws Exception {
        String command = (kilobytes > 0 ? "ulimit -v " + kilobytes + " && " : "") + "exec \"$0\" \"$@\"";
        List<String> argv = new java.util.ArrayList<>(List.of("bash", "-c", command, REPO.resolve("pixq").toString()));
        argv.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Artifacts.Run run = Artifacts.run(builder);
        return new Result(run.exit(), run.output());
    }

    private static List<Path> crashReports(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().startsWith("hs_err_pid")).toList();
        }
    }
}
