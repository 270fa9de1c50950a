package pixq.image;

import pixq.recipe.Operation;
import pixq.recipe.Operation.Blur;
import pixq.recipe.Operation.Command;
import pixq.recipe.Operation.Crop;
import pixq.recipe.Operation.Custom;
import pixq.recipe.Operation.Flip;
import pixq.recipe.Operation.Flop;
import pixq.recipe.Operation.Grayscale;
import pixq.recipe.Operation.Orient;
import pixq.recipe.Operation.Resize;
import pixq.recipe.Operation.Rotate;
import pixq.recipe.Operation.Sharpen;
import pixq.recipe.Operation.Strip;
import pixq.recipe.Operation.Watermark;

/**
 * What each step does to the image's geometry, described once: the shrink-on-load plan reads it ahead of the
 * decode, and the step runner follows it while the decoded image is smaller than the source it stands for.
 * {@link #after} gives the frame after a step, or null for a step whose result depends on the pixels at
 * full resolution (a crop box or a blur sigma in source pixels, a watermark, a command, a filter): before such a
 * step the decoder must not shrink.
 */
final class Geometry implements Operation.Visitor<Geometry.Frame> {

    /**
     * The image's size as the steps see it, its EXIF orientation still to apply, right after a resize the
     * sizing it ran with, and where the decoded image's first pixel now lies (at the right, at the bottom):
     * a shrunk decode's partial last block follows the turns and mirrors to the opposite side.
     */
    record Frame(int width, int height, int orientation, Sizing resized, boolean originRight, boolean originBottom) {
        Frame(int width, int height, int orientation) {
            this(width, height, orientation, null, false, false);
        }

        /** Transposed first when asked, then mirrored left-right and top-bottom: every turn and mirror is one of these. */
        private Frame moved(boolean transpose, boolean mirrorX, boolean mirrorY, int orientation) {
            return transpose ? new Frame(height, width, orientation, null, originBottom ^ mirrorX, originRight ^ mirrorY)
                    : new Frame(width, height, orientation, null, originRight ^ mirrorX, originBottom ^ mirrorY);
        }
    }

    private final Frame f;

    /** Whether an EXIF orientation swaps width and height (5 to 8: the transposes and quarter turns). */
    static boolean transposes(int orientation) {
        return orientation >= 5;
    }

    private Geometry(Frame f) {
        this.f = f;
    }

    static Frame after(Operation op, Frame f) {
        return op.accept(new Geometry(f));
    }

    @Override
    public Frame orient(Orient op) {
        int o = f.orientation(); // 2 mirror, 3 half turn, 4 flip, 5 transpose, 6 turn right, 7 transverse, 8 turn left
        return f.moved(transposes(o), o == 2 || o == 3 || o == 6 || o == 7, o == 3 || o == 4 || o == 7 || o == 8, 1);
    }

    @Override
    public Frame resize(Resize op) {
        Sizing s = Sizing.of(op, f.width(), f.height());
        return new Frame(s.outW(), s.outH(), f.orientation(), s, false, false);
    }

    @Override
    public Frame rotate(Rotate op) {
        int d = op.degrees(); // 90 clockwise, 180 or 270
        return f.moved(d != 180, d != 270, d != 90, f.orientation());
    }

    @Override
    public Frame flip(Flip op) {
        return f.moved(false, false, true, f.orientation());
    }

    @Override
    public Frame flop(Flop op) {
        return f.moved(false, true, false, f.orientation());
    }

    @Override
    public Frame grayscale(Grayscale op) {
        return same();
    }

    @Override
    public Frame strip(Strip op) {
        return same();
    }

    @Override
    public Frame crop(Crop op) {
        return null;
    }

    @Override
    public Frame blur(Blur op) {
        return null;
    }

    @Override
    public Frame sharpen(Sharpen op) {
        return null;
    }

    @Override
    public Frame watermark(Watermark op) {
        return null;
    }

    @Override
    public Frame command(Command op) {
        return null;
    }

    @Override
    public Frame custom(Custom op) {
        return null;
    }

    private Frame same() {
        return f.moved(false, false, false, f.orientation());
    }
}
