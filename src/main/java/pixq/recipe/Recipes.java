package pixq.recipe;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import pixq.recipe.Operation.Orient;
import pixq.recipe.Operation.Resize;

/**
 * The built-in recipes, and {@link #resolve} which turns what a user typed after {@code --recipe} into a
 * {@link Recipe}: a built-in name, a path to a JSON recipe file, or a recipe string ({@link RecipeString}).
 */
public final class Recipes {
    private static final ObjectMapper JSON = Json.MAPPER;

    /** Orient, fit inside 256×256, JPEG q85, written as {@code <stem>-thumb.jpg}. */
    public static final Recipe THUMBNAIL = new Recipe("thumbnail",
            List.of(new Orient(), Resize.inside(256, 256)),
            List.of(new Output("-thumb", "jpeg", 85, List.of())));

    /** Orient, then from one decode: fit inside 1600, 800 and 320, JPEG q82, as {@code <stem>-1600.jpg} etc. */
    public static final Recipe WEB = new Recipe("web",
            List.of(new Orient()),
            List.of(web(1600), web(800), web(320)));

    /** Metadata only ({@code <stem>.json}): no pixel is decoded. */
    public static final Recipe META = new Recipe("meta", List.of(), List.of(new Output("", "meta", null, List.of())));

    private static final Map<String, Recipe> BUILT_INS = new LinkedHashMap<>();

    static {
        for (Recipe r : List.of(THUMBNAIL, WEB, META)) {
            BUILT_INS.put(r.name(), r);
        }
    }

    private Recipes() {}

    private static Output web(int size) {
        return new Output("-" + size, "jpeg", 82, List.of(Resize.inside(size, size)));
    }

    /** The built-in recipes by name, in a stable order. */
    public static Map<String, Recipe> builtIns() {
        return Map.copyOf(BUILT_INS);
    }

    /**
     * A built-in name ("web"), a path to a .json recipe file, or a recipe string
     * ("orient | fit 1024x1024 | jpeg 85").
     *
     * @throws IllegalArgumentException saying why none of the three fits, listing the built-ins
     */
    public static Recipe resolve(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no recipe given: " + choices());
        }
        String s = spec.strip();
        Recipe builtIn = BUILT_INS.get(s.toLowerCase(Locale.ROOT));
        if (builtIn != null) {
            return builtIn;
        }
        if (s.toLowerCase(Locale.ROOT).endsWith(".json") || Files.isRegularFile(Path.of(s))) {
            return load(Path.of(s));
        }
        try {
            return RecipeString.parse(s).validated();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(RecipeString.quoted(s) + " is not a recipe: " + e.getMessage() + ". " + choices(), e);
        }
    }

    /**
     * Why a recipe's JSON was refused, in the JSON's own terms: Jackson's message for an unknown step names
     * pixq's classes.
     */
    public static String why(IOException e) {
        if (e instanceof InvalidTypeIdException unknown) {
            String ops = Arrays.stream(Operation.class.getAnnotation(JsonSubTypes.class).value()).map(JsonSubTypes.Type::name)
                    .collect(Collectors.joining(", "));
            return "no step has \"op\": \"" + unknown.getTypeId() + "\"; the steps are " + ops + ("fit".equals(unknown.getTypeId())
                    ? " (a recipe string's fit WxH is {\"op\": \"resize\", \"width\": W, \"height\": H, \"fit\": \"inside\"} in JSON)" : "");
        }
        return e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
    }

    /** Reads a JSON recipe file (the same mapping as job messages); its name defaults to the file's stem. */
    public static Recipe load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("recipe file " + file + " does not exist");
        }
        Recipe r;
        try {
            r = JSON.readValue(file.toFile(), Recipe.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("recipe file " + file + " is not a valid recipe: " + why(e), e);
        }
        if (r.name() == null || r.name().isBlank()) {
            String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
            r = new Recipe(stem, r.steps(), r.outputs());
        }
        try {
            return r.validated();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("recipe file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String choices() {
        return "use a built-in recipe (" + String.join(", ", BUILT_INS.keySet())
                + "), a .json recipe file, or a recipe string such as \"orient | fit 1024x1024 | jpeg 85\"";
    }
}
