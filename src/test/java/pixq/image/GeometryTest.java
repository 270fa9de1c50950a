package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pixq.recipe.Operation;
import pixq.recipe.Operation.Fit;
import pixq.recipe.Operation.Resize;
import pixq.recipe.Gravity;
import pixq.recipe.Output;
import pixq.recipe.RecipeString;
import pixq.recipe.Recipe;
import pixq.recipe.Recipes;

/** Resize arithmetic and the choice of the JPEG shrink-on-load factor. */
class GeometryTest {
    private static Sizing size(Fit fit, Integer w, Integer h, boolean upscale, int iw, int ih) {
        return Sizing.of(new Resize(w, h, fit, upscale, null, Gravity.CENTER), iw, ih);
    }

    @Test
    void fitModesWorkOutTheirSizes() {
        assertEquals(new Sizing(800, 450, 800, 450, 0, 0), size(Fit.INSIDE, 800, 800, false, 1600, 900));
        assertEquals(new Sizing(356, 200, 200, 200, -78, 0), size(Fit.COVER, 200, 200, false, 1600, 900));
        assertEquals(new Sizing(200, 113, 200, 200, 0, 44), size(Fit.CONTAIN, 200, 200, false, 1600, 900));
        assertEquals(new Sizing(200, 200, 200, 200, 0, 0), size(Fit.FILL, 200, 200, false, 1600, 900));
    }

    @Test
    void neverUpscaleKeepsSmallImagesAsTheyAre() {
        assertEquals(new Sizing(100, 50, 100, 50, 0, 0), size(Fit.INSIDE, 800, 800, false, 100, 50));
        assertEquals(new Sizing(800, 400, 800, 400, 0, 0), size(Fit.INSIDE, 800, 800, true, 100, 50));
        assertEquals(new Sizing(100, 50, 100, 50, 0, 0), size(Fit.COVER, 200, 200, false, 100, 50));
        assertEquals(new Sizing(100, 50, 200, 200, 50, 75), size(Fit.CONTAIN, 200, 200, false, 100, 50));
        assertEquals(new Sizing(100, 50, 100, 50, 0, 0), size(Fit.FILL, 200, 200, false, 100, 50));
    }

    @Test
    void oneSideOnlyScalesTheOther() {
        assertEquals(new Sizing(400, 225, 400, 225, 0, 0), size(Fit.INSIDE, 400, null, false, 1600, 900));
        assertEquals(new Sizing(800, 450, 800, 450, 0, 0), size(Fit.FILL, null, 450, false, 1600, 900));
    }

    private static int factor(int w, int h, int orientation, String recipe) {
        Recipe r = RecipeString.parse(recipe);
        return ShrinkPlan.reduceFactor(w, h, orientation, r.steps(), r.outputs());
    }

    @Test
    void shrinkOnLoadPicksTheLargestFactorThatLeavesTwiceTheTarget() {
        assertEquals(4, factor(4000, 3000, 1, "orient | fit 256 | jpeg")); // 1000 ≥ 2 × 256; by 8, 500 < 512
        assertEquals(2, factor(4000, 3000, 1, "orient | fit 1000 | jpeg"));
        assertEquals(1, factor(4000, 3000, 1, "orient | fit 1024 | jpeg")); // 2000 < 2 × 1024
        assertEquals(1, factor(1200, 900, 1, "orient | fit 1000 | jpeg"));
        assertEquals(1, factor(400, 300, 1, "fit 1000 | jpeg")); // no upscale: full size needed
    }

    @Test
    void shrinkOnLoadFollowsTheLargestOutput() {
        Recipe web = Recipes.WEB;
        assertEquals(1, ShrinkPlan.reduceFactor(4000, 3000, 1, web.steps(), web.outputs()));
        assertEquals(4, ShrinkPlan.reduceFactor(4000, 3000, 1, List.of(),
                List.of(new Output("-a", "jpeg", 80, List.of(Resize.inside(320, 320))), new Output("", "meta", null, List.of()))));
    }

    @Test
    void shrinkOnLoadIsOffWhenAStepNeedsFullResolution() {
        assertEquals(1, factor(4000, 3000, 1, "crop 100x100+0+0 | fit 50 | jpeg"));
        assertEquals(1, factor(4000, 3000, 1, "blur 2 | fit 50 | jpeg"));
        assertEquals(4, factor(4000, 3000, 1, "fit 256 | jpeg -small ; rotate 90 > jpeg -big")); // both after the fit
        assertEquals(1, factor(4000, 3000, 1, "png -full ; fit 256 > png -small"));
        assertEquals(4, factor(4000, 3000, 1, "flop | grayscale | rotate 90 | fit 256 | jpeg"));
    }

    @Test
    void shrinkOnLoadUsesTheOrientedSize() {
        // stored 4000×1000, orientation 6: upright 1000×4000; a 1000×500 box scales it to 125×500, so 4 leaves 2×
        assertEquals(4, factor(4000, 1000, 6, "orient | fit 1000x500 | jpeg"));
        assertEquals(2, factor(4000, 1000, 1, "orient | fit 1000x500 | jpeg"));
    }

    /**
     * Where a shrunk decode's first pixel lies after each turn and mirror, as Geometry says, against where the
     * step runner's pixel operations (OpenCV's flips and rotations) move a marked pixel of a 3×2 image.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void theDecodesFirstPixelFollowsEveryTurnAndMirror(int orientation) {
        List<Operation> steps = List.of(new Operation.Rotate(90), new Operation.Flop(), new Operation.Orient(),
                new Operation.Rotate(180), new Operation.Flip(), new Operation.Rotate(270), new Operation.Grayscale());
        Mat m = new Mat(2, 3, CV_8UC1, new Scalar(0.0));
        m.ptr(0, 0).put((byte) 255);
        Canvas c = new Canvas(m, true, new Geometry.Frame(3, 2, orientation), 0.25); // shrunk: the frame follows Geometry
        StepRunner runner = new StepRunner(new StepRunner.Tools(null, EngineConfig.defaults(), null, Map.of()), List.of(), Map.of());
        for (Operation op : steps) {
            runner.run(c, List.of(op));
            Geometry.Frame f = c.frame;
            String what = op + " (orientation " + orientation + ")";
            assertEquals(List.of(c.mat().cols(), c.mat().rows()), List.of(f.width(), f.height()), what);
            int x = f.originRight() ? c.mat().cols() - 1 : 0;
            int y = f.originBottom() ? c.mat().rows() - 1 : 0;
            assertEquals(255, c.mat().ptr(y, x).get() & 0xFF, what);
        }
        c.close();
    }
}
