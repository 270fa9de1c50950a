package pixq.image;

import java.util.List;
import pixq.recipe.Operation;
import pixq.recipe.Operation.Flip;
import pixq.recipe.Operation.Flop;
import pixq.recipe.Operation.Grayscale;
import pixq.recipe.Operation.Orient;
import pixq.recipe.Operation.Resize;
import pixq.recipe.Operation.Rotate;
import pixq.recipe.Operation.Strip;
import pixq.recipe.Output;

/**
 * Chooses the JPEG shrink-on-load factor: the largest of 1, 2, 4, 8 whose decode (libjpeg's DCT scaling gives
 * ceil(side / factor)) still covers what the first resize needs, for every output. Only steps that keep the
 * pixels' relation to the full-size image (orient, rotate, flip, flop, grayscale, strip) may come before that
 * resize; any other step (a crop box, a blur, a watermark, a command, a filter) needs full resolution.
 */
final class ShrinkPlan {
    /** As libvips: the DCT shrink leaves at least this factor to the Lanczos filter, which keeps the detail sharp. */
    private static final int HEADROOM = 2;

    private ShrinkPlan() {}

    static int reduceFactor(int width, int height, int orientation, List<Operation> shared, List<Output> outputs) {
        int[] dims = {width, height};
        int[] need = new int[4]; // frame w, h at the resize, and the size it scales to
        Boolean found = scan(shared, dims, orientation, need);
        if (found == null) {
            return 1;
        }
        if (found) {
            return largestFactor(need);
        }
        int factor = 8;
        boolean any = false;
        int afterShared = orientationAfter(shared, orientation);
        for (Output o : outputs) {
            if (o.isMeta()) {
                continue;
            }
            int[] branchDims = dims.clone();
            if (!Boolean.TRUE.equals(scan(o.steps(), branchDims, afterShared, need))) {
                return 1; // this output wants full resolution
            }
            factor = Math.min(factor, largestFactor(need));
            any = true;
        }
        return any ? factor : 1;
    }

    /** True with {@code need} filled when a resize is reached; false at the end of the steps; null at a blocker. */
    private static Boolean scan(List<Operation> steps, int[] dims, int orientation, int[] need) {
        int o = orientation;
        for (Operation op : steps) {
            if (op instanceof Resize r) {
                Sizing s = Sizing.of(r, dims[0], dims[1]);
                need[0] = dims[0];
                need[1] = dims[1];
                need[2] = s.scaledW();
                need[3] = s.scaledH();
                return true;
            } else if (op instanceof Orient) {
                if (o >= 5) {
                    swap(dims);
                }
                o = 1;
            } else if (op instanceof Rotate r) {
                if (r.degrees() != 180) {
                    swap(dims);
                }
            } else if (!(op instanceof Flip || op instanceof Flop || op instanceof Grayscale || op instanceof Strip)) {
                return null;
            }
        }
        return false;
    }

    private static int orientationAfter(List<Operation> steps, int orientation) {
        return steps.stream().anyMatch(Orient.class::isInstance) ? 1 : orientation;
    }

    private static int largestFactor(int[] need) {
        for (int f = 8; f > 1; f /= 2) {
            if (ceilDiv(need[0], f) >= HEADROOM * need[2] && ceilDiv(need[1], f) >= HEADROOM * need[3]) {
                return f;
            }
        }
        return 1;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static void swap(int[] d) {
        int t = d[0];
        d[0] = d[1];
        d[1] = t;
    }
}
