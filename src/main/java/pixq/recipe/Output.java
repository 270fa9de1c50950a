package pixq.recipe;

import java.util.List;

/** One file a recipe writes: its own steps after the shared ones, then its encoding. */
public record Output(String name, String format, Integer quality, List<Operation> steps) {}
