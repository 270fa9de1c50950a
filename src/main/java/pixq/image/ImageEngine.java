package pixq.image;

import java.util.List;
import java.util.Map;
import pixq.recipe.Recipe;

/** Runs a recipe on the bytes of one image: decode once, transform, encode every output. */
public interface ImageEngine {

    /**
     * @param input the image's bytes, or null for a job that carries only args
     * @param commandEnv environment variables every {@code command} step sees besides pixq's own: what names
     *     the job (its input's URI, its id), which the scratch copy of the input cannot
     * @throws ImageException when the input or the recipe is bad: trying again would not help
     */
    List<Rendition> render(byte[] input, Recipe recipe, List<String> args, Map<String, String> commandEnv);

    /** A render with no job to name to its commands (a preview, a warm-up). */
    default List<Rendition> render(byte[] input, Recipe recipe, List<String> args) {
        return render(input, recipe, args, Map.of());
    }
}
