package pixq.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import pixq.job.Await;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.BlobException;

/** What the contract cannot say: URI forms, the output fence, hidden files, and kill -9 during a write. */
class LocalFolderBlobStoreSafetyTest {
    private static final int KILL_TEST_SIZE = 4 << 20;

    @TempDir
    Path dir;

    private Path out() {
        return dir.resolve("out");
    }

    private LocalFolderBlobStore store() {
        return new LocalFolderBlobStore(out());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainPathsAndEveryFileUriFormNameTheSameFile() {
        // given
        Path file = out().resolve("my photo.jpg");

        // when
        store().write(file.toString(), bytes("x"), "image/jpeg");

        // then
        assertArrayEquals(bytes("x"), store().read("file:" + file, 10));
        assertArrayEquals(bytes("x"), store().read("file://" + file, 10));
        assertArrayEquals(bytes("x"), store().read(file.toUri().toString(), 10));
        assertEquals(List.of(file.toUri().toString()), store().list(out().toString()));
    }

    @Test
    void outputNamesCannotEscapeTheOutputFolder() {
        // given
        String outside = dir.resolve("elsewhere.jpg").toString();

        // when / then
        for (String name : List.of(out() + "/../elsewhere.jpg", "file:" + out() + "/a/../../elsewhere.jpg", outside,
                "file:" + outside, out().toString(), "s3://bucket/key.jpg")) {
            BlobException e = assertThrows(BlobException.class, () -> store().write(name, bytes("x"), "image/jpeg"), name);
            assertFalse(e.retryable());
        }
        assertFalse(Files.exists(dir.resolve("elsewhere.jpg")));
    }

    @Test
    void symlinkedFolderInsideTheOutputCannotLeadOutOfIt() throws Exception {
        // given
        Files.createDirectories(out());
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.createSymbolicLink(out().resolve("link"), elsewhere);

        // when / then
        assertThrows(BlobException.class, () -> store().write(out().resolve("link/a.jpg").toString(), bytes("x"), "image/jpeg"));
        assertFalse(Files.exists(elsewhere.resolve("a.jpg")));
    }

    @Test
    void listSkipsHiddenFilesAndFoldersSuchAsUnfinishedWrites() throws Exception {
        // given
        store().write(out().resolve("a.jpg").toString(), bytes("a"), "image/jpeg");
        Files.writeString(out().resolve(".a.jpg.123.tmp"), "half");
        Files.createDirectories(out().resolve(".pixq"));
        Files.writeString(out().resolve(".pixq/pixq.db"), "db");

        // when
        List<String> listed = store().list(out().toUri().toString());

        // then
        assertEquals(List.of(out().resolve("a.jpg").toUri().toString()), listed);
    }

    @Test
    void aFullDiskIsSaidAsItsOwnKindOfErrorAndLeavesNoTempFile() throws Exception {
        // given the two ways the JDK reports ENOSPC: a write's plain IOException, a file operation's reason
        List<java.io.IOException> full = List.of(new java.io.IOException("No space left on device"),
                new java.nio.file.FileSystemException(out().resolve("x").toString(), null, "No space left on device"));
        for (java.io.IOException error : full) {
            LocalFolderBlobStore store = new LocalFolderBlobStore(out(), (file, bytes) -> {
                Files.write(file, Arrays.copyOf(bytes, 1)); // a partly written temp file, as a full disk leaves it
                throw error;
            });

            // when
            BlobException thrown = assertThrows(BlobException.class, () -> store.write(out().resolve("a.jpg").toString(), bytes("xyz"), "image/jpeg"));

            // then
            assertTrue(thrown instanceof BlobException.NoSpace && thrown.getMessage().startsWith("the output disk is full"), thrown.getMessage());
            try (var files = Files.list(out())) {
                assertEquals(List.of(), files.toList(), "the temp file is gone");
            }
        }
        // and any other I/O error is not
        LocalFolderBlobStore broken = new LocalFolderBlobStore(out(), (file, bytes) -> {
            throw new java.io.IOException("Input/output error");
        });
        BlobException other = assertThrows(BlobException.class, () -> broken.write(out().resolve("b.jpg").toString(), bytes("x"), "image/jpeg"));
        assertFalse(other instanceof BlobException.NoSpace, other.getMessage());
    }

    @Test
    void listOfOneFileGivesThatFile() {
        // given
        Path file = out().resolve("a.jpg");
        store().write(file.toString(), bytes("a"), "image/jpeg");

        // when / then
        assertEquals(List.of(file.toUri().toString()), store().list(file.toString()));
    }

    @Test
    void readsAreAllowedOutsideTheOutputFolder() throws Exception {
        // given
        Path input = Files.writeString(dir.resolve("in.jpg"), "in");

        // when / then
        assertArrayEquals(bytes("in"), store().read(input.toString(), 10));
    }

    @Test
    void aFileThatGrowsWhileItIsReadIsReadWholeUpToTheLimit() throws Exception {
        // given a file whose size says 0 when it is opened, and that then gets 300 bytes (a pipe, as an upload still going)
        Path growing = dir.resolve("growing.jpg");
        assertEquals(0, new ProcessBuilder("mkfifo", growing.toString()).start().waitFor());
        byte[] content = new byte[300];
        Arrays.fill(content, (byte) 7);
        Thread writer = new Thread(() -> {
            try {
                Files.write(growing, content);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();

        // when / then: all of it is read
        assertArrayEquals(content, store().read(growing.toString(), 1000));
        writer.join();

        // and past the limit it is refused as too large
        Thread again = new Thread(() -> {
            try {
                Files.write(growing, content);
            } catch (java.io.IOException e) {
                // the reader stopped at its limit and closed the pipe: a broken pipe here is expected
            }
        });
        again.start();
        assertThrows(BlobException.TooLarge.class, () -> store().read(growing.toString(), 100));
        again.join();
    }

    @Test
    void processKilledWhileWritingLeavesTheOldFileOrTheNewOneWhole() throws Exception {
        Path target = out().resolve("big.bin");
        for (int round = 0; round < 3; round++) {
            // given: another JVM rewriting the file over and over with a different byte each time
            Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), RewriteForever.class.getName(), out().toString())
                    .inheritIO().start();
            Await.until("the writer's first file", java.time.Duration.ofSeconds(20), () -> Files.exists(target));
            Thread.sleep(30 + round * 40L); // not a synchronisation: kills the writer at a different moment each round

            // when
            writer.destroyForcibly(); // SIGKILL on Unix
            writer.waitFor();

            // then
            byte[] bytes = store().read(target.toString(), KILL_TEST_SIZE);
            assertEquals(KILL_TEST_SIZE, bytes.length);
            byte first = bytes[0];
            assertTrue(Arrays.equals(bytes, filled(first)), "file mixes two writes");
        }
    }

    private static byte[] filled(byte value) {
        byte[] bytes = new byte[KILL_TEST_SIZE];
        Arrays.fill(bytes, value);
        return bytes;
    }

    /** The process the kill test kills. */
    static final class RewriteForever {
        public static void main(String[] args) {
            LocalFolderBlobStore store = new LocalFolderBlobStore(Path.of(args[0]));
            String target = Path.of(args[0], "big.bin").toString();
            for (int i = 1; ; i++) {
                store.write(target, filled((byte) i), "application/octet-stream");
            }
        }
    }
}
