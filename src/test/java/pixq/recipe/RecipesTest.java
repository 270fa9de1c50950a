package pixq.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.job.JobSpec;
import pixq.recipe.Operation.Orient;
import pixq.recipe.Operation.Resize;

class RecipesTest {
    @TempDir
    Path dir;

    /** A recipe with every operation, for round trips. */
    static Recipe aRecipeWithEveryOperation() {
        return RecipeString.parse("orient | fit 300x200 cover north | crop 10x20+3+4 | crop 5x5 se | rotate 90 | flip | flop"
                + " | grayscale | blur 1.5 | sharpen 2 0.5 | strip | watermark \"(c) pixq\" sw opacity=0.4"
                + " | watermark @file:/logo.png | command denoise | custom sepia strength=3"
                + " > jpeg 80 progressive -a ; fit 100 contain #00ff00 > webp 60 -b ; meta");
    }

    @Test
    void builtInsHaveTheAgreedShape() {
        assertSame(Recipes.THUMBNAIL, Recipes.resolve("thumbnail"));
        assertEquals(List.of(new Orient(), Resize.inside(256, 256)), Recipes.THUMBNAIL.steps());
        assertEquals("-thumb.jpg", Recipes.THUMBNAIL.outputs().get(0).suffix());
        assertEquals(85, Recipes.THUMBNAIL.outputs().get(0).quality());
        Recipe web = Recipes.resolve("WEB");
        assertEquals(List.of("-1600.jpg", "-800.jpg", "-320.jpg"), web.outputs().stream().map(Output::suffix).toList());
        assertTrue(web.outputs().stream().allMatch(o -> o.quality() == 82));
        assertEquals(List.of(Resize.inside(800, 800)), web.outputs().get(1).steps());
        assertTrue(Recipes.resolve("meta").outputs().get(0).isMeta());
        assertEquals(List.of("meta", "thumbnail", "web"), Recipes.builtIns().keySet().stream().sorted().toList());
    }

    @Test
    void jobMessagesCarryRecipesThroughJson() {
        Recipe recipe = aRecipeWithEveryOperation();
        JobSpec spec = JobSpec.of("batch-1", "file:/in/a.jpg", "file:/out/", recipe, List.of("x"));
        String json = spec.toJson();
        assertTrue(json.contains("\"op\":\"resize\""), json);
        assertTrue(json.contains("\"fit\":\"cover\""), json);
        JobSpec back = JobSpec.fromJson(json);
        assertEquals(spec, back);
        assertEquals(recipe, back.recipe());
    }

    @Test
    void anUnknownOperationInAMessageIsAMalformedMessage() {
        String json = JobSpec.of("b", "file:/a.jpg", "file:/o/", Recipes.THUMBNAIL, List.of()).toJson()
                .replace("\"op\":\"orient\"", "\"op\":\"explode\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobSpec.fromJson(json));
        assertTrue(e.getMessage().contains("explode"), e.getMessage());
    }

    @Test
    void recipeFilesLoadWithTheSameMapping() throws IOException {
        Path file = dir.resolve("banner.json");
        Files.writeString(file, """
                {"steps": [{"op": "orient"}, {"op": "resize", "width": 1200, "height": 400, "fit": "cover"}],
                 "outputs": [{"name": "-banner", "format": "webp", "quality": 75},
                             {"name": "-banner", "format": "jpeg", "steps": [{"op": "grayscale"}]}]}
                """);
        Recipe r = Recipes.resolve(file.toString());
        assertEquals("banner", r.name());
        assertEquals(new Resize(1200, 400, Operation.Fit.COVER, false, null, null), r.steps().get(1));
        assertEquals(List.of("-banner.webp", "-banner.jpg"), r.outputs().stream().map(Output::suffix).toList());
    }

    @Test
    void badRecipeFilesSayWhatIsWrong() throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"steps\": [{\"op\": \"rotate\", \"degrees\": 45}], \"outputs\": [{}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recipes.resolve(bad.toString()));
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("90, 180 or 270"), e.getMessage());
        Path twins = dir.resolve("twins.json");
        Files.writeString(twins, "{\"outputs\": [{\"format\": \"png\"}, {\"format\": \"png\"}]}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Recipes.resolve(twins.toString()))
                .getMessage().contains("two outputs writing <stem>.png"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Recipes.resolve(dir.resolve("none.json").toString()))
                .getMessage().contains("does not exist"));
    }

    @Test
    void aRecipeFileWithARecipeStringsStepNameSaysWhatJsonCallsIt() throws IOException {
        Path fit = dir.resolve("fit.json");
        Files.writeString(fit, "{\"steps\": [{\"op\": \"fit\", \"width\": 300}]}");
        String message = assertThrows(IllegalArgumentException.class, () -> Recipes.resolve(fit.toString())).getMessage();
        assertEquals("recipe file " + fit + " is not a valid recipe: no step has \"op\": \"fit\"; the steps are orient, resize, crop, rotate, flip, flop,"
                + " grayscale, blur, sharpen, strip, watermark, command, custom (a recipe string's fit WxH is {\"op\": \"resize\","
                + " \"width\": W, \"height\": H, \"fit\": \"inside\"} in JSON)", message);
    }

    @Test
    void resolveTakesRecipeStrings() {
        Recipe r = Recipes.resolve("orient | fit 1024x1024 | jpeg 85");
        assertEquals(Resize.inside(1024, 1024), r.steps().get(1));
    }

    @Test
    void anUnknownRecipeListsTheBuiltIns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recipes.resolve("thumbnails"));
        assertTrue(e.getMessage().contains("thumbnail, web, meta"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown step 'thumbnails'"), e.getMessage());
    }

    @Test
    void customParamsSurviveJson() {
        Recipe r = new Recipe("c", List.of(new Operation.Custom("sepia", Map.of("a", "1"))), List.of(new Output("", "png", null, null)));
        assertEquals(r, JobSpec.fromJson(JobSpec.of("b", "file:/i.png", "file:/o/", r, null).toJson()).recipe());
    }

    @Test
    void aLongJunkRecipeIsQuotedByItsFirst80Characters() {
        String junk = "q".repeat(100_000);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Recipes.resolve(junk));

        assertTrue(e.getMessage().length() < 1_000, "a message of " + e.getMessage().length() + " characters");
        assertTrue(e.getMessage().startsWith("'" + "q".repeat(80) + "...' (100000 characters)"), e.getMessage().substring(0, 120));
    }
}
