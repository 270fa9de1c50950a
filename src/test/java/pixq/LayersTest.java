package pixq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md, held against the code: a package uses only the packages below it
 * (by import or by a fully qualified name; comments do not count). The core knows nothing of AWS, the
 * image engine nothing of storage, the Lambda handlers nothing of the embedded backend or the shells.
 */
class LayersTest {
    /** What each package may use, besides itself and the JDK and libraries. */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "recipe", Set.of(),
            "job", Set.of("recipe"),
            "image", Set.of("recipe"),
            "local", Set.of("recipe", "job"),
            "worker", Set.of("recipe", "job", "image"),
            "aws", Set.of("recipe", "job", "image", "worker"),
            "serve", Set.of("recipe", "job", "image", "local", "worker", "aws"),
            "web", Set.of("recipe", "job", "image", "local", "worker", "aws"),
            "cli", Set.of("recipe", "job", "image", "local", "worker", "aws", "serve", "web"));

    private static final Pattern USE = Pattern.compile("\\bpixq\\.([a-z]+)\\.[A-Za-z]");
    private static final Pattern COMMENTS = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

    @Test
    void noPackageUsesOneAboveIt() throws IOException {
        Path root = Path.of("src/main/java/pixq");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(file).getName(0).toString();
                violations.addAll(violations(pkg, file.getFileName().toString(), Files.readString(file)));
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void theCheckSeesImportsAndQualifiedNamesButNotComments() {
        String source = """
                package pixq.aws;
                import pixq.local.LocalState;
                /** pixq.cli.Main is named in a comment only */
                class X { Object o = new pixq.serve.Emulator(); // pixq.web.WebConsole
                }
                """;
        assertEquals(List.of("aws/X.java uses pixq.local", "aws/X.java uses pixq.serve"), violations("aws", "X.java", source));
        assertEquals(List.of("image/Y.java uses pixq.job"), violations("image", "Y.java", "import pixq.job.BlobException;"));
    }

    @Test
    void everyPackageHasARule() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("src/main/java/pixq"))) {
            assertEquals(ALLOWED.keySet(), Set.copyOf(dirs.map(d -> d.getFileName().toString()).toList()));
        }
    }

    static List<String> violations(String pkg, String file, String source) {
        Set<String> allowed = ALLOWED.get(pkg);
        Matcher m = USE.matcher(COMMENTS.matcher(source).replaceAll(""));
        List<String> found = new ArrayList<>();
        while (m.find()) {
            String used = m.group(1);
            String line = pkg + "/" + file + " uses pixq." + used;
            if (!used.equals(pkg) && !allowed.contains(used) && !found.contains(line)) {
                found.add(line);
            }
        }
        return found;
    }
}
