package pixq.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pixq.image.Heif;
import pixq.image.HeifFixtures;

/** {@code pixq run} on a folder of phone photos (HEIC, AVIF) and JPEGs, with libheif and without it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeifRunTest {
    @TempDir
    Path dir;

    private Path phoneFolder() throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        HeifFixtures.orientedHeic(in, "iphone.heic");
        HeifFixtures.turnedAvif(in, "web.avif");
        HeifFixtures.orientedJpeg(in, "camera.jpg");
        HeifFixtures.orientedJpeg(in, "other.jpeg");
        try (var made = Files.list(in)) { // the encoders' sources are JPEGs too: leave only the four
            for (Path p : made.filter(p -> p.toString().endsWith(".src.jpg")).toList()) {
                Files.delete(p);
            }
        }
        return in;
    }

    @Test
    void aFolderWithAHeicAnAvifAndJpegsGivesUprightOutputsForAll() throws IOException {
        HeifFixtures.requireLibheif();
        Path in = phoneFolder();
        int exit = RunCommandTest.pixq("run", in.toString(), "--out", dir.resolve("out").toString(),
                "--recipe", "orient | fit 30 | jpeg", "--state", dir.resolve("state").toString());
        assertEquals(0, exit);
        for (String name : List.of("iphone", "web", "camera", "other")) {
            BufferedImage out = ImageIO.read(dir.resolve("out/" + name + ".jpg").toFile());
            assertEquals("10x30", out.getWidth() + "x" + out.getHeight(), name + " upright, fitted in 30x30");
        }
    }

    @Test
    void withoutLibheifRunSaysOnceWhatToInstallAndOnlyTheHeifJobsFail() throws Exception {
        Path in = phoneFolder();
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dpixq.libheif=" + dir.resolve("no-such-libheif.so"), // absent: as on a machine without libheif1
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", in.toString(), "--out", dir.resolve("out").toString(), "--recipe", "orient | fit 30 | jpeg",
                "--state", dir.resolve("state").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(child.waitFor(90, TimeUnit.SECONDS), "the run finishes");
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(2, child.exitValue(), output); // jobs failed
        List<String> lines = output.lines().toList();
        int notice = indexOf(lines, Heif.MISSING + " (");
        int queued = indexOf(lines, "batch run-");
        assertTrue(notice >= 0 && notice < queued, "said before queueing:\n" + output);
        assertTrue(lines.get(notice).endsWith("2 HEIC/AVIF inputs will fail."), lines.get(notice));
        assertEquals(1, lines.stream().filter(l -> l.startsWith(Heif.MISSING)).count(), "said once:\n" + output);
        assertTrue(output.contains("2 succeeded, 2 failed"), output);
        for (String name : List.of("iphone.heic", "web.avif")) {
            String failed = lines.stream().filter(l -> l.contains("FAILED") && l.contains(name)).findFirst().orElseThrow();
            assertTrue(failed.contains("apt-get install libheif1"), failed);
        }
        assertTrue(Files.exists(dir.resolve("out/camera.jpg")) && Files.exists(dir.resolve("out/other.jpg")));
    }

    private static int indexOf(List<String> lines, String start) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                return i;
            }
        }
        return -1;
    }
}
