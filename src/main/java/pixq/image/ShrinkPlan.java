package pixq.image;

import java.util.List;
import pixq.recipe.Operation;
import pixq.recipe.Output;

/**
 * Chooses the JPEG shrink-on-load factor: the largest of 1, 2, 4, 8 whose decode (libjpeg's DCT scaling gives
 * ceil(side / factor)) still leaves the first resize of every output at least a factor of two, as libvips does:
 * the DCT shrink is a box filter, and the Lanczos reduction after it is what keeps the detail sharp. Only steps
 * whose {@link Geometry} keeps the pixels' relation to the source may come before that resize.
 */
final class ShrinkPlan {
    private static final int HEADROOM = 2;

    private ShrinkPlan() {}

    static int reduceFactor(int width, int height, int orientation, List<Operation> shared, List<Output> outputs) {
        Geometry.Frame source = new Geometry.Frame(width, height, orientation);
        Walk common = walk(shared, source);
        if (common.blocked) {
            return 1;
        }
        if (common.resize != null) {
            return largestFactor(common.before, common.resize);
        }
        int factor = 8;
        boolean any = false;
        for (Output o : outputs) {
            if (o.isMeta()) {
                continue;
            }
            Walk mine = walk(o.steps(), common.before);
            if (mine.resize == null) {
                return 1; // this output wants full resolution
            }
            factor = Math.min(factor, largestFactor(mine.before, mine.resize));
            any = true;
        }
        return any ? factor : 1;
    }

    /** The frame just before the first resize (or at the end), that resize's sizing, or blocked at a full-resolution step. */
    private record Walk(Geometry.Frame before, Sizing resize, boolean blocked) {}

    private static Walk walk(List<Operation> steps, Geometry.Frame start) {
        Geometry.Frame f = start;
        for (Operation op : steps) {
            Geometry.Frame next = Geometry.after(op, f);
            if (next == null) {
                return new Walk(f, null, true);
            }
            if (next.resized() != null) {
                return new Walk(f, next.resized(), false);
            }
            f = next;
        }
        return new Walk(f, null, false);
    }

    private static int largestFactor(Geometry.Frame before, Sizing s) {
        for (int f = 8; f > 1; f /= 2) {
            if (ceilDiv(before.width(), f) >= HEADROOM * s.scaledW() && ceilDiv(before.height(), f) >= HEADROOM * s.scaledH()) {
                return f;
            }
        }
        return 1;
    }

    /** A side after libjpeg's DCT shrink by {@code b}: rounded up. */
    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
