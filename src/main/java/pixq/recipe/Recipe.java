package pixq.recipe;

import java.util.List;

/** What to do to an image: steps run once after the decode, then each output's own steps and encoding. */
public record Recipe(String name, List<Operation> steps, List<Output> outputs) {
    public Recipe {
        steps = steps == null ? List.of() : List.copyOf(steps);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }
}
