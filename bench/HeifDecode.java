import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import pixq.image.OpenCvImageEngine;
import pixq.recipe.Recipe;
import pixq.recipe.RecipeString;

/**
 * HEIC decode time inside pixq's engine, the JVM warm: a recipe whose other work is negligible (a 16×16 crop
 * written as PNG), so the figure is libheif's decode plus the copy into OpenCV. Prints min/median/max in ms.
 * Usage: {@link #USAGE}.
 */
public class HeifDecode {
    static final String USAGE = "java -cp target/classes:$(cat cp.txt) bench/HeifDecode.java FILE.heic [RUNS]";

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.out.println(USAGE);
            System.exit(args.length == 1 && (args[0].equals("--help") || args[0].equals("-h")) ? 0 : 2);
        }
        byte[] heic = Files.readAllBytes(Path.of(args[0]));
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 11;
        OpenCvImageEngine engine = new OpenCvImageEngine();
        Recipe recipe = RecipeString.parse("crop 16x16 | png");
        for (int i = 0; i < 3; i++) {
            engine.render(heic, recipe, List.of()); // warm-up: JIT, libheif loaded
        }
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            engine.render(heic, recipe, List.of());
            ms.add((System.nanoTime() - t) / 1e6);
        }
        Collections.sort(ms);
        System.out.printf("%s: %d runs, ms min %.0f median %.0f max %.0f%n", args[0], runs, ms.get(0), ms.get(runs / 2),
                ms.get(runs - 1));
    }
}
