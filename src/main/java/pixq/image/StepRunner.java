package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8U;

import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
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
import pixq.recipe.Output;

/**
 * Runs steps on a {@link Canvas}: one method per kind of step (the compiler sees to it that none is missing).
 * The frame follows {@link Geometry} while the pixels are a shrunk decode, and the pixels themselves after. A step
 * that leaves the pixels as they are returns null, so a JPEG still streaming stays unread for the resize after it.
 */
final class StepRunner implements Operation.Visitor<Mat> {
    /** What the steps that reach outside the image need: commands, watermark files, filters, the decoder's limits. */
    record Tools(CommandRunner commands, EngineConfig config, Intake intake, Map<String, ImageFilter> filters) {}

    private final Tools tools;
    private final List<String> args;
    private final Map<String, String> commandEnv;
    private Canvas c;

    StepRunner(Tools tools, List<String> args, Map<String, String> commandEnv) {
        this.tools = tools;
        this.args = args;
        this.commandEnv = commandEnv;
    }

    Canvas run(Canvas canvas, List<Operation> steps) {
        c = canvas;
        for (Operation op : steps) {
            Geometry.Frame next = Geometry.after(op, c.frame);
            bounded(op, next);
            Mat pixels = op.accept(this);
            if (pixels != null) {
                c.replace(pixels);
            }
            if (next != null && next.resized() != null) {
                c.scale = 1;
            }
            c.frame = c.reduced() ? next : new Geometry.Frame(c.cols(), c.rows(), next == null ? c.frame.orientation() : next.orientation());
        }
        return c;
    }

    /**
     * Refuses a step whose image (a resize's scaled image too, before its crop) would pass the limit on input
     * pixels, before allocating it: an upscale to 30000×30000 is a readable failure, not gigabytes of memory.
     */
    private void bounded(Operation op, Geometry.Frame next) {
        if (next == null) {
            return;
        }
        long pixels = (long) next.width() * next.height();
        if (next.resized() != null) {
            pixels = Math.max(pixels, (long) next.resized().scaledW() * next.resized().scaledH());
        }
        if (pixels > tools.config().maxPixels()) {
            throw new ImageException(String.format("%s would make a %d×%d image (%s MP), over the %s MP limit on pixels"
                    + " (--max-pixels, MAX_PIXELS on AWS): refused before allocating it", op.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT),
                    next.width(), next.height(), Intake.megapixels(pixels), Intake.megapixels(tools.config().maxPixels())));
        }
    }

    @Override
    public Mat orient(Orient op) {
        if (c.frame.orientation() == 1) {
            return null;
        }
        if (c.stream() != null) {
            c.turn = c.frame.orientation(); // the resize after it turns its small result
            return null;
        }
        return Transforms.orient(c.mat(), c.frame.orientation());
    }

    @Override
    public Mat resize(Resize op) {
        Sizing s = Geometry.after(op, c.frame).resized();
        if (c.stream() != null && (s.scaledW() < c.cols() || s.scaledH() < c.rows())) {
            return Transforms.resize(c.stream(), c.streamWindow(), c.turn, s, Transforms.color(op.background()));
        }
        return Transforms.resize(c.mat(), c.window(), s, Transforms.color(op.background()));
    }

    @Override
    public Mat crop(Crop k) {
        return k.isBox() ? Transforms.crop(c.mat(), k.x(), k.y(), k.width(), k.height())
                : Transforms.crop(c.mat(), k.width(), k.height(), k.gravity());
    }

    @Override
    public Mat rotate(Rotate op) {
        return Transforms.rotate(c.mat(), op.degrees());
    }

    @Override
    public Mat flip(Flip op) {
        return Transforms.mirror(c.mat(), 0);
    }

    @Override
    public Mat flop(Flop op) {
        return Transforms.mirror(c.mat(), 1);
    }

    @Override
    public Mat grayscale(Grayscale op) {
        return Transforms.grayscale(c.mat());
    }

    @Override
    public Mat blur(Blur op) {
        return Transforms.blur(c.mat(), op.sigma());
    }

    @Override
    public Mat sharpen(Sharpen op) {
        return Transforms.sharpen(c.mat(), op.sigma(), op.amount());
    }

    @Override
    public Mat strip(Strip op) {
        return null; // outputs carry only the metadata they keep: see Output.keep
    }

    @Override
    public Mat watermark(Watermark w) {
        Mat m = c.mat();
        if (w.text() != null) {
            return Transforms.textWatermark(m, w.text(), w.gravity(), w.opacity(), w.scale() == null ? 0.04 : w.scale());
        }
        byte[] bytes;
        try {
            bytes = tools.config().resources().apply(w.image());
        } catch (ImageException.Unavailable e) {
            throw e; // a throttled or timed-out read is tried again, not failed for good
        } catch (RuntimeException e) {
            throw new ImageException("the watermark image " + w.image() + " could not be read: " + e.getMessage(), e);
        }
        try (Mat mark = decodeWhole(bytes)) {
            return Transforms.imageWatermark(m, mark, w.gravity(), w.opacity(), w.scale() == null ? 0.2 : w.scale());
        }
    }

    @Override
    public Mat command(Command k) {
        byte[] png = Encoder.encode(c.mat(), new Output("", "png", 1, List.of()));
        CommandRunner.Result result = tools.commands().run(k, png, ".png", args, commandEnv, true);
        c.commandFiles.addAll(result.files());
        return decodeWhole(result.image());
    }

    @Override
    public Mat custom(Custom k) {
        ImageFilter f = tools.filters().get(k.name());
        if (f == null) {
            throw new ImageException("no custom filter named '" + k.name() + "' is installed"
                    + (tools.filters().isEmpty() ? "" : " (installed: " + String.join(", ", tools.filters().keySet()) + ")"));
        }
        Mat m = c.owned ? c.mat() : c.mat().clone();
        Mat out = f.apply(m, k.params(), args);
        if (out == null || out.empty() || out.depth() != CV_8U || !List.of(1, 3, 4).contains(out.channels())) {
            throw new ImageException("custom filter '" + k.name() + "' returned no image, or not an 8-bit 1, 3 or 4 channel one");
        }
        if (out != m && m != c.mat()) {
            m.close();
        }
        return out;
    }

    /** Full decode of a secondary image (a command's result, a watermark), with the same limits. */
    private Mat decodeWhole(byte[] bytes) {
        return Decoder.decode(bytes, tools.intake().checked(bytes), 1);
    }
}
