package pixq.recipe;

/** One step of a recipe. (Skeleton: the recipe issue fills in the operations.) */
public interface Operation {}
