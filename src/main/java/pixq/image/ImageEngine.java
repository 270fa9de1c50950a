package pixq.image;

import java.util.List;
import pixq.recipe.Recipe;

/** Runs a recipe on the bytes of one image: decode once, transform, encode every output. */
public interface ImageEngine {

    /**
     * @param input the image's bytes, or null for a job that carries only args
     * @throws ImageException when the input or the recipe is bad: trying again would not help
     */
    List<Rendition> render(byte[] input, Recipe recipe, List<String> args);
}
