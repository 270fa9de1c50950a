package pixq.recipe;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Map;

/**
 * One step of a recipe. In JSON each step is an object whose "op" property names it, for example
 * {@code {"op":"resize","width":800,"height":800,"fit":"inside"}}. The annotations live here so a plain
 * {@code new ObjectMapper()} (de)serializes job messages.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Operation.Orient.class, name = "orient"),
    @JsonSubTypes.Type(value = Operation.Resize.class, name = "resize"),
    @JsonSubTypes.Type(value = Operation.Crop.class, name = "crop"),
    @JsonSubTypes.Type(value = Operation.Rotate.class, name = "rotate"),
    @JsonSubTypes.Type(value = Operation.Flip.class, name = "flip"),
    @JsonSubTypes.Type(value = Operation.Flop.class, name = "flop"),
    @JsonSubTypes.Type(value = Operation.Grayscale.class, name = "grayscale"),
    @JsonSubTypes.Type(value = Operation.Blur.class, name = "blur"),
    @JsonSubTypes.Type(value = Operation.Sharpen.class, name = "sharpen"),
    @JsonSubTypes.Type(value = Operation.Strip.class, name = "strip"),
    @JsonSubTypes.Type(value = Operation.Watermark.class, name = "watermark"),
    @JsonSubTypes.Type(value = Operation.Command.class, name = "command"),
    @JsonSubTypes.Type(value = Operation.Custom.class, name = "custom"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface Operation {

    /**
     * Calls the visitor's method for this kind of step. A new kind of step does not compile until every visitor
     * (the engine's geometry, its step runner) handles it: no step can be skipped silently.
     */
    <R> R accept(Visitor<R> v);

    /** One method per kind of step. */
    interface Visitor<R> {
        R orient(Orient op);

        R resize(Resize op);

        R crop(Crop op);

        R rotate(Rotate op);

        R flip(Flip op);

        R flop(Flop op);

        R grayscale(Grayscale op);

        R blur(Blur op);

        R sharpen(Sharpen op);

        R strip(Strip op);

        R watermark(Watermark op);

        R command(Command op);

        R custom(Custom op);
    }

    /** Turns the pixels upright as the EXIF orientation tag (1 to 8) says; a no-op without one. */
    record Orient() implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.orient(this);
        }
    }

    /**
     * Scales to a box. A null width or height leaves that side free (aspect kept). Never enlarges unless
     * {@code upscale}. {@code background} pads CONTAIN ("white", "black", "transparent", "#rrggbb[aa]");
     * {@code gravity} places the COVER crop.
     */
    record Resize(Integer width, Integer height, Fit fit, Boolean upscale, String background, Gravity gravity)
            implements Operation {
        /** The longest side of an image, as the image decoder's header check has it. */
        public static final int MAX_SIDE = 1 << 20;

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.resize(this);
        }

        public Resize {
            if (width == null && height == null) {
                throw new IllegalArgumentException("resize needs a width, a height or both");
            }
            positive("resize width", width);
            positive("resize height", height);
            // No image pixq reads has a side this long (its decoder refuses one): refused as the recipe is read.
            if (Math.max(width == null ? 0 : width, height == null ? 0 : height) > MAX_SIDE) {
                throw new IllegalArgumentException("resize sides are at most " + MAX_SIDE + " pixels, not " + width + "×" + height);
            }
            fit = fit == null ? Fit.INSIDE : fit;
            upscale = Boolean.TRUE.equals(upscale);
            gravity = gravity == null ? Gravity.CENTER : gravity;
            if (background != null) {
                Colour.parse(background);
            }
        }

        public static Resize inside(Integer width, Integer height) {
            return new Resize(width, height, Fit.INSIDE, false, null, null);
        }
    }

    /** How {@link Resize} fits the image to its box. */
    enum Fit {
        /** Whole image inside the box, aspect kept: one side may be shorter. */
        INSIDE,
        /** Box covered, aspect kept, the overflow cropped (by gravity). */
        COVER,
        /** Like INSIDE, then padded with the background colour to exactly the box. */
        CONTAIN,
        /** Stretched to exactly the box, aspect ignored. */
        FILL;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Fit parse(String text) {
            try {
                return valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown fit '" + text + "' (use inside, cover, contain or fill)");
            }
        }
    }

    /**
     * Cuts out a window: either the box x, y, width, height (x and y given), or a width×height window placed
     * by gravity (x and y null). The window is clipped to the image.
     */
    record Crop(Integer x, Integer y, Integer width, Integer height, Gravity gravity) implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.crop(this);
        }

        public Crop {
            positive("crop width", width);
            positive("crop height", height);
            if (width == null || height == null) {
                throw new IllegalArgumentException("crop needs a width and a height");
            }
            if ((x == null) != (y == null)) {
                throw new IllegalArgumentException("crop needs both x and y, or neither (then gravity places it)");
            }
            if (x != null && (x < 0 || y < 0)) {
                throw new IllegalArgumentException("crop x and y must be 0 or more, not " + x + "," + y);
            }
            gravity = x == null && gravity == null ? Gravity.CENTER : gravity;
        }

        @JsonIgnore
        public boolean isBox() {
            return x != null;
        }
    }

    /** Turns clockwise by 90, 180 or 270 degrees (-90 means 270). */
    record Rotate(int degrees) implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.rotate(this);
        }

        public Rotate {
            degrees = Math.floorMod(degrees, 360);
            if (degrees % 90 != 0 || degrees == 0) {
                throw new IllegalArgumentException("rotate takes 90, 180 or 270 degrees, not " + degrees);
            }
        }
    }

    /** Mirrors top to bottom (upside down), as ImageMagick's -flip. */
    record Flip() implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.flip(this);
        }
    }

    /** Mirrors left to right, as ImageMagick's -flop. */
    record Flop() implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.flop(this);
        }
    }

    record Grayscale() implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.grayscale(this);
        }
    }

    /** Gaussian blur; sigma in pixels of the image as it stands at this step. */
    record Blur(double sigma) implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.blur(this);
        }

        public Blur {
            if (!(sigma > 0 && sigma <= 100)) {
                throw new IllegalArgumentException("blur sigma must be over 0 and at most 100, not " + sigma);
            }
        }
    }

    /** Unsharp mask: adds {@code amount} times the detail finer than a Gaussian of {@code sigma}. */
    record Sharpen(Double sigma, Double amount) implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.sharpen(this);
        }

        public Sharpen {
            sigma = sigma == null ? 1.0 : sigma;
            amount = amount == null ? 1.0 : amount;
            if (!(sigma > 0 && sigma <= 100) || !(amount > 0 && amount <= 10)) {
                throw new IllegalArgumentException("sharpen needs 0 < sigma <= 100 and 0 < amount <= 10");
            }
        }
    }

    /**
     * Outputs carry none of the source's metadata (EXIF, ICC, XMP) unless an output asks to keep some
     * ({@link Output#keep()}). This step states the default in a recipe and changes nothing.
     */
    record Strip() implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.strip(this);
        }
    }

    /**
     * Text or image watermark (exactly one of them). {@code image} is a path or URI, read through the engine's
     * resource reader. {@code scale} is the watermark's width (image) or text height as a fraction of the
     * image's width (image) or shorter side (text). Text is drawn with OpenCV's Hershey font: ASCII only.
     */
    record Watermark(String text, String image, Gravity gravity, Double opacity, Double scale)
            implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.watermark(this);
        }

        public Watermark {
            if ((text == null) == (image == null)) {
                throw new IllegalArgumentException("watermark needs either a text or an image, not both");
            }
            gravity = gravity == null ? Gravity.SOUTHEAST : gravity;
            opacity = opacity == null ? 0.5 : opacity;
            if (!(opacity > 0 && opacity <= 1)) {
                throw new IllegalArgumentException("watermark opacity must be over 0 and at most 1, not " + opacity);
            }
            if (scale != null && !(scale > 0 && scale <= 1)) {
                throw new IllegalArgumentException("watermark scale must be over 0 and at most 1, not " + scale);
            }
        }
    }

    /**
     * Runs the executable the engine's configuration knows by {@code name} (never a path from the message), as
     * {@code executable INPUT OUT ARGS...}: INPUT holds the image as it stands (the original bytes when this is
     * the first step, PNG otherwise; "-" for a job without an input), ARGS are the job's args, and
     * PIXQ_OUTPUT_DIR is an empty folder whose files all become outputs of the job. When the recipe goes on with
     * the image, OUT is the file to write that image to; when this command ends a recipe without image outputs,
     * OUT is PIXQ_OUTPUT_DIR itself, and writing nothing there fails the job unless {@code allowEmpty}.
     * A non-zero exit fails the job.
     */
    record Command(String name, Boolean allowEmpty) implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.command(this);
        }

        public Command {
            requireName("command", name);
            allowEmpty = Boolean.TRUE.equals(allowEmpty) ? Boolean.TRUE : null; // absent unless set: job ids unchanged
        }

        public Command(String name) {
            this(name, null);
        }
    }

    /** Runs the {@code pixq.image.ImageFilter} plugin registered (ServiceLoader) under {@code name}. */
    record Custom(String name, Map<String, String> params) implements Operation {
        @Override
        public <R> R accept(Visitor<R> v) {
            return v.custom(this);
        }

        public Custom {
            requireName("custom", name);
            params = params == null ? Map.of() : Map.copyOf(params);
        }
    }

    private static void positive(String what, Integer value) {
        if (value != null && value <= 0) {
            throw new IllegalArgumentException(what + " must be 1 or more, not " + value);
        }
    }

    private static void requireName(String op, String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException(op + " needs a plain name (letters, digits, . _ -), not '" + name + "'");
        }
    }
}
