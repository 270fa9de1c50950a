package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.image.Images.anImage;

import java.util.List;
import org.junit.jupiter.api.Test;
import pixq.recipe.Recipes;

/** Outputs are bounded by the same limit as inputs (max pixels): an upscale cannot take the worker's memory. */
class OutputSizeTest {
    @Test
    void anUpscalePastThePixelLimitFailsItsJobBeforeAllocating() {
        // given: a 200×128 input under a 100,000-pixel limit, fitted up to 1000×1000 (1000×640 = 640,000 pixels)
        OpenCvImageEngine engine = new OpenCvImageEngine(EngineConfig.defaults().withMaxPixels(100_000));
        byte[] jpeg = anImage(200, 128).quadrants().jpeg();

        // when
        ImageException e = assertThrows(ImageException.class,
                () -> engine.render(jpeg, Recipes.resolve("fit 1000x1000 upscale | jpeg 85"), List.of()));

        // then
        assertTrue(e.getMessage().contains("1000×640") && e.getMessage().contains("--max-pixels"), e.getMessage());
    }

    @Test
    void anUpscaleWithinTheLimitIsWritten() {
        OpenCvImageEngine engine = new OpenCvImageEngine(EngineConfig.defaults().withMaxPixels(100_000));
        byte[] jpeg = anImage(200, 128).quadrants().jpeg();

        List<Rendition> out = engine.render(jpeg, Recipes.resolve("fit 250x250 upscale | jpeg 85"), List.of());

        assertEquals(1, out.size());
    }

    @Test
    void aSideNoImageCanHaveIsRefusedWhenTheRecipeIsRead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Recipes.resolve("fit 99999999x99999999 upscale | jpeg 85"));

        assertTrue(e.getMessage().contains("at most 1048576 pixels"), e.getMessage());
    }
}
