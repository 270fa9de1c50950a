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
     * The image's size as the steps see it, its EXIF orientation still to apply, and, right after a resize,
     * the sizing it ran with.
     */
    record Frame(int width, int height, int orientation, Sizing resized) {
        Frame(int width, int height, int orientation) {
            this(width, height, orientation, null);
        }

        private Frame turned() {
            return new Frame(height, width, orientation);
        }
    }

    private final Frame f;

    private Geometry(Frame f) {
        this.f = f;
    }

    static Frame after(Operation op, Frame f) {
        return op.accept(new Geometry(f));
    }

    @Override
    public Frame orient(Orient op) {
        Frame upright = f.orientation() >= 5 ? f.turned() : f;
        return new Frame(upright.width(), upright.height(), 1);
    }

    @Override
    public Frame resize(Resize op) {
        Sizing s = Sizing.of(op, f.width(), f.height());
        return new Frame(s.outW(), s.outH(), f.orientation(), s);
    }

    @Override
    public Frame rotate(Rotate op) {
        return op.degrees() == 180 ? same() : f.turned();
    }

    @Override
    public Frame flip(Flip op) {
        return same();
    }

    @Override
    public Frame flop(Flop op) {
        return same();
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
        return new Frame(f.width(), f.height(), f.orientation());
    }
}
