package pixq.recipe;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What to do to an image: {@code steps} run once after the decode, then each output's own steps on that
 * shared result, then its encoding. Built-ins, JSON files and the short string form: see {@link Recipes}.
 */
public record Recipe(String name, List<Operation> steps, List<Output> outputs) {
    public Recipe {
        steps = steps == null ? List.of() : List.copyOf(steps);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    /** Throws IllegalArgumentException unless the recipe writes at least one file and no two share a name. */
    public Recipe validated() {
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("recipe '" + name + "' has no outputs: add one such as {\"format\":\"jpeg\"}");
        }
        Set<String> suffixes = new HashSet<>();
        for (Output o : outputs) {
            if (!suffixes.add(o.suffix())) {
                throw new IllegalArgumentException("recipe '" + name + "' has two outputs writing <stem>" + o.suffix()
                        + ": give each output its own name, such as -800");
            }
        }
        return this;
    }
}
