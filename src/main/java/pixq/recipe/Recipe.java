package pixq.recipe;

import com.fasterxml.jackson.annotation.JsonIgnore;
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

    /**
     * Throws IllegalArgumentException unless the recipe writes something (an output, or, for a recipe of
     * commands only, the files its last command writes) and no two outputs share a name.
     */
    public Recipe validated() {
        if (outputs.isEmpty() && !writesCommandFiles()) {
            throw new IllegalArgumentException("recipe '" + name + "' has no outputs: add one such as {\"format\":\"jpeg\"}"
                    + (steps.stream().anyMatch(Operation.Command.class::isInstance)
                            ? ", or make it commands only, so that the last command's files are the outputs" : ""));
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

    /** A recipe of commands only and no outputs: the files its last command writes are the job's outputs. */
    @JsonIgnore
    public boolean writesCommandFiles() {
        return outputs.isEmpty() && !steps.isEmpty() && steps.stream().allMatch(Operation.Command.class::isInstance);
    }
}
