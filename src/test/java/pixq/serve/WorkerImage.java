package pixq.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import pixq.job.MissingTool;
import pixq.recipe.Json;

/**
 * The worker's container image without Docker (none runs here): functions/worker/Dockerfile read, its COPY
 * sources laid out under a folder standing for the image's root, and its exec-form RUN, ENTRYPOINT and CMD turned
 * into commands on that folder, with a JDK 25 for its {@code java} (the image's base is Corretto 25).
 */
public final class WorkerImage {
    static final Path DOCKERFILE = Path.of("functions/worker/Dockerfile");
    private static final ObjectMapper JSON = Json.MAPPER;

    final Path root;
    final String java;
    /** The Dockerfile's ENV settings, image paths under root: what its RUNs and its ENTRYPOINT run with. */
    final Map<String, String> env = new LinkedHashMap<>();

    private WorkerImage(Path root, String java) {
        this.root = root;
        this.java = java;
    }

    /** Copies what the Dockerfile copies (target/worker/ from `mvn package`, the training image) under root. */
    static WorkerImage layOut(Path root) throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        WorkerImage image = new WorkerImage(root, jdk25());
        Matcher copy = Pattern.compile("(?m)^COPY (\\S+) (\\S+)$").matcher(dockerfile);
        while (copy.find()) {
            Path from = Path.of(copy.group(1));
            Path to = image.inRoot(copy.group(2));
            if (Files.isDirectory(from)) {
                copyFolder(from, to);
            } else if (from.getFileName().toString().matches("classpath|jvm\\.options")) {
                // the argument files name /opt/...: the same paths under root
                Files.createDirectories(to.getParent());
                Files.writeString(to, image.mapped(Files.readString(from)));
            } else {
                Files.createDirectories(to.getParent());
                Files.copy(from, to);
            }
        }
        Matcher setting = Pattern.compile("(\\w+)=(?:\"([^\"]*)\"|(\\S+))").matcher("");
        Matcher envLine = Pattern.compile("(?m)^ENV ((?:.*\\\\\n)*.*)$").matcher(dockerfile);
        while (envLine.find()) {
            setting.reset(envLine.group(1).replace("\\\n", " "));
            while (setting.find()) {
                image.env.put(setting.group(1), image.mapped(setting.group(2) != null ? setting.group(2) : setting.group(3)));
            }
        }
        // the preloaded allocator comes from a build stage's apt-get install on Debian 12: this machine's copy of
        // the same package (libtcmalloc-minimal4) stands for it; pixq's libraries come from a build stage's gcc on
        // Amazon Linux: the ones `mvn compile` built here stand for them
        for (String preloaded : image.env.get("LD_PRELOAD").split(" ")) {
            Path preload = Path.of(preloaded);
            String name = preload.getFileName().toString();
            Path installed = name.startsWith("libpixq") ? Path.of("target/cli/natives", name)
                    : Path.of("/usr/lib/x86_64-linux-gnu").resolve(name);
            if (!Files.exists(installed)) {
                MissingTool.skipOrFail("no " + installed + " for the worker image's LD_PRELOAD: apt-get install"
                        + " libtcmalloc-minimal4 gcc, then mvn compile");
            }
            Files.createDirectories(preload.getParent());
            Files.copy(installed, preload);
        }
        Path built = Path.of("target/cli/natives/libpixqimage.so");
        if (!Files.exists(built)) {
            MissingTool.skipOrFail("no " + built + " for the worker image's image library: apt-get install gcc libjpeg-dev, then mvn compile");
        }
        Files.copy(built, image.inRoot("/opt/lib/libpixqimage.so"));
        return image;
    }

    /** An exec-form instruction's words as written: ENTRYPOINT, CMD, or the RUN whose words contain {@code marker}. */
    public static List<String> instruction(String name, String marker) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\[.*\\])$").matcher(Files.readString(DOCKERFILE));
        while (m.find()) {
            List<String> words = Arrays.asList(JSON.readValue(m.group(1), String[].class));
            if (marker == null || words.stream().anyMatch(w -> w.contains(marker))) {
                return words;
            }
        }
        throw new AssertionError(DOCKERFILE + " has no exec-form " + name + (marker == null ? "" : " with " + marker));
    }

    /** The words as a command here: the JDK 25's java for {@code java}, image paths under root. */
    List<String> command(List<String> words) {
        List<String> command = new ArrayList<>();
        for (String word : words) {
            command.add(word.equals("java") ? java : mapped(word));
        }
        return command;
    }

    /** The JVM options of an exec-form java command: every word between java and the main class. */
    public static List<String> jvmOptions(List<String> words) {
        return words.subList(1, words.indexOf(words.stream().filter(w -> !w.startsWith("-") && !w.startsWith("@")).skip(1).findFirst()
                .orElseThrow()));
    }

    Path inRoot(String imagePath) {
        return root.resolve(imagePath.replaceFirst("^/", ""));
    }

    private String mapped(String text) {
        return text.replace("/opt/", root.toAbsolutePath() + "/opt/");
    }

    /** A JDK 25 or later: PIXQ_JDK25, or one under /usr/lib/jvm (Temurin's here). */
    private static String jdk25() throws IOException {
        String given = System.getenv("PIXQ_JDK25");
        if (given != null) {
            return Path.of(given, "bin", "java").toString();
        }
        try (Stream<Path> jdks = Files.isDirectory(Path.of("/usr/lib/jvm")) ? Files.list(Path.of("/usr/lib/jvm")) : Stream.empty()) {
            for (Path jdk : jdks.sorted().toList()) {
                Path release = jdk.resolve("release");
                if (Files.isRegularFile(release) && Files.readString(release).matches("(?s).*JAVA_VERSION=\"(2[5-9]|[3-9][0-9]).*")) {
                    return jdk.resolve("bin/java").toString();
                }
            }
        }
        return MissingTool.skipOrFail("no JDK 25 for the worker image's java (its ahead-of-time cache needs one): set PIXQ_JDK25"
                + " or install one under /usr/lib/jvm");
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(f.getFileName());
                if (Files.isSymbolicLink(f)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(f));
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
