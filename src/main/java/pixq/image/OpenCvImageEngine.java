package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_16U;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_PNG_COMPRESSION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_WEBP_QUALITY;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
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
import pixq.recipe.Recipe;

/**
 * The image engine on OpenCV (libjpeg-turbo, libpng, libtiff, libwebp inside the JavaCPP jars).
 *
 * <p>Per image: sniff the format and read the size from the header (refusing bombs before any decoder runs);
 * run leading {@code command} steps on the raw bytes; choose a JPEG shrink-on-load factor (1/2, 1/4 or 1/8,
 * the smallest decode that still covers the largest output, libvips-style); decode ONCE, ignoring the EXIF
 * orientation (the {@code orient} step applies it explicitly); run the shared steps; then each output's steps
 * on that shared image, and encode. All native memory of a render is released when it returns.
 *
 * <p>Decisions: outputs never carry metadata (OpenCV writes none; {@code strip} only says so). A JPEG without
 * its end-of-image marker, or a PNG without IEND, is refused as truncated rather than rendered half gray.
 * Alpha is kept for PNG and WebP and flattened onto white for JPEG. 16-bit images become 8-bit.
 * Colour profiles (ICC) are ignored: pixels are taken as sRGB.
 */
public final class OpenCvImageEngine implements ImageEngine {
    private final EngineConfig config;
    private final CommandRunner commands;
    private final Map<String, ImageFilter> filters;

    public OpenCvImageEngine() {
        this(EngineConfig.defaults());
    }

    public OpenCvImageEngine(EngineConfig config) {
        this.config = config;
        this.commands = new CommandRunner(config);
        this.filters = loadFilters();
        opencv_core.setNumThreads(config.openCvThreads() <= 1 ? 0 : config.openCvThreads()); // 0 = no thread pool
    }

    public EngineConfig config() {
        return config;
    }

    @Override
    public List<Rendition> render(byte[] input, Recipe recipe, List<String> args) {
        try {
            recipe.validated();
        } catch (IllegalArgumentException e) {
            throw new ImageException("bad recipe: " + e.getMessage(), e);
        }
        List<String> jobArgs = args == null ? List.of() : List.copyOf(args);
        List<Operation> steps = recipe.steps();
        byte[] bytes = input;
        int first = 0;
        String ext = bytes == null ? "" : sniffedExtension(bytes, !steps.isEmpty() && steps.get(0) instanceof Command);
        List<Rendition> commandFiles = new ArrayList<>();
        for (; first < steps.size() && steps.get(first) instanceof Command c; first++) {
            boolean last = recipe.writesCommandFiles() && first == steps.size() - 1;
            CommandRunner.Result result = commands.run(c, bytes, ext, jobArgs, !last);
            commandFiles.addAll(result.files());
            if (last) {
                return distinct(commandFiles);
            }
            bytes = result.image();
            ext = extension(checked(bytes));
        }
        if (bytes == null) {
            throw new ImageException("the job has no input image, and its recipe does not start with a command that makes one");
        }
        ImageHeader header = checked(bytes);
        List<Operation> shared = steps.subList(first, steps.size());
        boolean anyPixels = recipe.outputs().stream().anyMatch(o -> !o.isMeta());
        boolean anyMeta = recipe.outputs().stream().anyMatch(Output::isMeta);
        SourceMetadata meta = anyMeta || (anyPixels && usesOrient(recipe)) ? SourceMetadata.read(bytes, header) : SourceMetadata.NONE;
        try (PointerScope scope = new PointerScope()) {
            Canvas start = anyPixels ? decode(bytes, header, meta.orientation(), shared, recipe.outputs()) : null;
            Canvas common = start == null ? null : run(start, shared, jobArgs);
            List<Rendition> renditions = new ArrayList<>(commandFiles);
            for (Output o : recipe.outputs()) {
                if (o.isMeta()) {
                    renditions.add(new Rendition(o.suffix(), "application/json", meta.toJson(header, bytes.length)));
                    continue;
                }
                Canvas mine = run(common.branch(), o.steps(), jobArgs);
                try {
                    renditions.add(new Rendition(o.suffix(), contentType(o), encode(mine.mat, o)));
                } finally {
                    if (mine.owned) {
                        mine.mat.close();
                    }
                }
            }
            if (common != null) {
                common.mat.close();
                renditions.addAll(common.commandFiles);
            }
            return distinct(renditions);
        } catch (ImageException e) {
            throw e;
        } catch (RuntimeException e) { // OpenCV's cv::Exception arrives as a RuntimeException
            String why = String.valueOf(e.getMessage()).lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
            throw new ImageException("the image could not be processed: " + why.strip(), e);
        }
    }

    /** Refuses two outputs of one name (a command's file named as a recipe output, say): never overwrite silently. */
    private static List<Rendition> distinct(List<Rendition> renditions) {
        Set<String> suffixes = new HashSet<>();
        for (Rendition r : renditions) {
            if (!suffixes.add(r.suffix())) {
                throw new ImageException("two outputs of this job would both be written as <name>" + r.suffix()
                        + ": rename the file the command writes, or the recipe's output");
            }
        }
        return renditions;
    }

    /** Reads the header and applies the size and pixel limits. */
    private ImageHeader checked(byte[] bytes) {
        if (bytes.length > config.maxBytes()) {
            throw new ImageException("the file is " + bytes.length + " bytes, over the limit of " + config.maxBytes() + " bytes");
        }
        ImageHeader h = ImageHeader.read(bytes);
        String format = h.format().name();
        if (h.width() <= 0 || h.height() <= 0 || h.width() > 1 << 20 || h.height() > 1 << 20) {
            throw new ImageException("the " + format + " header claims an impossible size of " + h.width() + "×" + h.height());
        }
        long pixels = (long) h.width() * h.height();
        if (pixels > config.maxPixels()) {
            throw new ImageException(String.format("the image is %d×%d = %s MP, over the %s MP limit: refused before decoding",
                    h.width(), h.height(), megapixels(pixels), megapixels(config.maxPixels())));
        }
        if (h.format() == ImageHeader.Format.JPEG && !hasMarkerAfter(bytes, h.dataStart(), 0xD9)) {
            throw new ImageException("the JPEG file is truncated: its image data stops before the end-of-image marker");
        }
        if (h.format() == ImageHeader.Format.PNG && !hasPngEnd(bytes)) {
            throw new ImageException("the PNG file is truncated: it has no IEND chunk");
        }
        return h;
    }

    private static String megapixels(long pixels) {
        double mp = pixels / 1e6;
        return mp == Math.rint(mp) ? String.valueOf((long) mp) : String.format("%.1f", mp);
    }

    /** 0xFF followed by marker anywhere from {@code from}: entropy-coded data escapes 0xFF, so this is the real one. */
    private static boolean hasMarkerAfter(byte[] b, int from, int marker) {
        for (int i = b.length - 2; i >= from; i--) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == marker) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasPngEnd(byte[] b) {
        for (int i = b.length - 4; i >= 8; i--) {
            if (b[i] == 'I' && b[i + 1] == 'E' && b[i + 2] == 'N' && b[i + 3] == 'D') {
                return true;
            }
        }
        return false;
    }

    private Canvas decode(byte[] bytes, ImageHeader header, int orientation, List<Operation> shared, List<Output> outputs) {
        int reduce = header.format() == ImageHeader.Format.JPEG
                ? ShrinkPlan.reduceFactor(header.width(), header.height(), orientation, shared, outputs)
                : 1;
        int flags;
        if (header.format() == ImageHeader.Format.JPEG) {
            boolean gray = header.components() == 1;
            flags = IMREAD_IGNORE_ORIENTATION | switch (reduce) {
                case 2 -> gray ? IMREAD_REDUCED_GRAYSCALE_2 : IMREAD_REDUCED_COLOR_2;
                case 4 -> gray ? IMREAD_REDUCED_GRAYSCALE_4 : IMREAD_REDUCED_COLOR_4;
                case 8 -> gray ? IMREAD_REDUCED_GRAYSCALE_8 : IMREAD_REDUCED_COLOR_8;
                default -> gray ? IMREAD_GRAYSCALE : IMREAD_COLOR; // CMYK/YCCK are converted to BGR by the decoder
            };
        } else {
            flags = IMREAD_UNCHANGED; // keeps alpha and 16 bits, and never applies orientation itself
        }
        Mat decoded;
        try (BytePointer data = new BytePointer(bytes); Mat buf = new Mat(1, bytes.length, CV_8UC1, data)) {
            decoded = opencv_imgcodecs.imdecode(buf, flags);
        }
        if (decoded == null || decoded.empty()) {
            throw new ImageException("the " + header.format().name() + " file is corrupt: the decoder could not read its pixels");
        }
        Mat eightBit = to8Bit(decoded);
        Canvas c = new Canvas(eightBit, true, orientation);
        if (reduce > 1) {
            c.logicalW = header.width();
            c.logicalH = header.height();
        }
        return c;
    }

    /** 16-bit and float images become 8-bit; 2-channel (gray + alpha) becomes BGRA. */
    private static Mat to8Bit(Mat m) {
        Mat out = m;
        if (m.depth() != CV_8U) {
            double scale = m.depth() == CV_16U ? 1 / 257.0 : m.depth() == CV_32F || m.depth() == CV_64F ? 255.0 : 1.0;
            out = new Mat();
            m.convertTo(out, CV_8U, scale, 0);
            m.close();
        }
        if (out.channels() == 2) {
            Mat bgra = new Mat();
            opencv_core.mixChannels(out, 1, bgra, 1, new int[] {0, 0, 0, 1, 0, 2, 1, 3}, 4);
            out.close();
            out = bgra;
        } else if (out.channels() != 1 && out.channels() != 3 && out.channels() != 4) {
            throw new ImageException("the image has " + out.channels() + " channels per pixel, which pixq does not handle");
        }
        return out;
    }

    /** The image as it goes through the steps, with what the steps need to know about its origin. */
    private static final class Canvas {
        Mat mat;
        /** False while the Mat is the shared image other outputs also start from: it must not be changed or closed. */
        boolean owned;
        int orientation;
        /** While the decode was reduced and no resize has run yet: the full-size dimensions it stands for. */
        int logicalW;
        int logicalH;
        /** Files that commands among the steps wrote into their output folder: shared by every branch. */
        List<Rendition> commandFiles = new ArrayList<>();

        Canvas(Mat mat, boolean owned, int orientation) {
            this.mat = mat;
            this.owned = owned;
            this.orientation = orientation;
        }

        /** A start for one output: the same pixels, not owned. */
        Canvas branch() {
            Canvas c = new Canvas(mat, false, orientation);
            c.logicalW = logicalW;
            c.logicalH = logicalH;
            c.commandFiles = commandFiles;
            return c;
        }

        void replace(Mat next) {
            if (owned && next != mat) {
                mat.close(); // release big pixel buffers as soon as the next step has its own
            }
            mat = next;
            owned = true;
        }

        void swapLogical() {
            int w = logicalW;
            logicalW = logicalH;
            logicalH = w;
        }
    }

    private Canvas run(Canvas c, List<Operation> steps, List<String> args) {
        for (Operation op : steps) {
            apply(c, op, args);
        }
        return c;
    }

    private void apply(Canvas c, Operation op, List<String> args) {
        Mat m = c.mat;
        if (op instanceof Orient) {
            if (c.orientation >= 5) {
                c.swapLogical();
            }
            if (c.orientation != 1) {
                c.replace(Transforms.orient(m, c.orientation));
            }
            c.orientation = 1;
        } else if (op instanceof Resize r) {
            boolean reduced = c.logicalW > 0;
            Sizing s = Sizing.of(r, reduced ? c.logicalW : m.cols(), reduced ? c.logicalH : m.rows());
            c.logicalW = 0;
            c.logicalH = 0;
            c.replace(Transforms.resize(m, s, Transforms.color(r.background())));
        } else if (op instanceof Crop k) {
            c.replace(k.isBox() ? Transforms.crop(m, k.x(), k.y(), k.width(), k.height())
                    : Transforms.crop(m, k.width(), k.height(), k.gravity()));
        } else if (op instanceof Rotate r) {
            if (r.degrees() != 180) {
                c.swapLogical();
            }
            c.replace(Transforms.rotate(m, r.degrees()));
        } else if (op instanceof Flip) {
            c.replace(Transforms.mirror(m, 0));
        } else if (op instanceof Flop) {
            c.replace(Transforms.mirror(m, 1));
        } else if (op instanceof Grayscale) {
            c.replace(Transforms.grayscale(m));
        } else if (op instanceof Blur b) {
            c.replace(Transforms.blur(m, b.sigma()));
        } else if (op instanceof Sharpen s) {
            c.replace(Transforms.sharpen(m, s.sigma(), s.amount()));
        } else if (op instanceof Strip) {
            return; // outputs never carry metadata: see the class comment
        } else if (op instanceof Watermark w) {
            c.replace(watermark(m, w));
        } else if (op instanceof Command k) {
            byte[] png = encode(m, new Output("", "png", 1, List.of()));
            CommandRunner.Result result = commands.run(k, png, ".png", args, true);
            c.commandFiles.addAll(result.files());
            c.replace(decodeWhole(result.image()));
        } else if (op instanceof Custom k) {
            c.replace(custom(c.owned ? m : m.clone(), k, args));
        }
    }

    private Mat watermark(Mat m, Watermark w) {
        if (w.text() != null) {
            return Transforms.textWatermark(m, w.text(), w.gravity(), w.opacity(), w.scale() == null ? 0.04 : w.scale());
        }
        byte[] bytes;
        try {
            bytes = config.resources().apply(w.image());
        } catch (RuntimeException e) {
            throw new ImageException("the watermark image " + w.image() + " could not be read: " + e.getMessage(), e);
        }
        try (Mat mark = decodeWhole(bytes)) {
            return Transforms.imageWatermark(m, mark, w.gravity(), w.opacity(), w.scale() == null ? 0.2 : w.scale());
        }
    }

    /** Full decode of a secondary image (a command's result, a watermark), with the same limits. */
    private Mat decodeWhole(byte[] bytes) {
        ImageHeader h = checked(bytes);
        try (BytePointer data = new BytePointer(bytes); Mat buf = new Mat(1, bytes.length, CV_8UC1, data)) {
            Mat m = opencv_imgcodecs.imdecode(buf, h.format() == ImageHeader.Format.JPEG ? IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION : IMREAD_UNCHANGED);
            if (m == null || m.empty()) {
                throw new ImageException("the " + h.format().name() + " image is corrupt: the decoder could not read its pixels");
            }
            return to8Bit(m);
        }
    }

    private Mat custom(Mat m, Custom k, List<String> args) {
        ImageFilter f = filters.get(k.name());
        if (f == null) {
            throw new ImageException("no custom filter named '" + k.name() + "' is installed"
                    + (filters.isEmpty() ? "" : " (installed: " + String.join(", ", filters.keySet()) + ")"));
        }
        Mat out = f.apply(m, k.params(), args);
        if (out == null || out.empty() || out.depth() != CV_8U || !List.of(1, 3, 4).contains(out.channels())) {
            throw new ImageException("custom filter '" + k.name() + "' returned no image, or not an 8-bit 1, 3 or 4 channel one");
        }
        if (out != m) {
            m.close();
        }
        return out;
    }

    private static byte[] encode(Mat m, Output o) {
        String format = o.format();
        Mat pixels = format.equals("jpeg") ? Transforms.flattenOnWhite(m) : m;
        int[] params = switch (format) {
            case "jpeg" -> new int[] {IMWRITE_JPEG_QUALITY, o.quality() == null ? 85 : o.quality(),
                IMWRITE_JPEG_PROGRESSIVE, Boolean.TRUE.equals(o.progressive()) ? 1 : 0};
            case "png" -> new int[] {IMWRITE_PNG_COMPRESSION, o.quality() == null ? 6 : o.quality()};
            default -> new int[] {IMWRITE_WEBP_QUALITY, o.quality() == null ? 80 : o.quality()};
        };
        try (BytePointer out = new BytePointer(); IntPointer p = new IntPointer(params)) {
            if (!opencv_imgcodecs.imencode(o.extension(), pixels, out, p)) {
                throw new ImageException("the " + format + " encoder failed on a " + m.cols() + "×" + m.rows() + " image");
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        } finally {
            if (pixels != m) {
                pixels.close();
            }
        }
    }

    private static String contentType(Output o) {
        return switch (o.format()) {
            case "jpeg" -> "image/jpeg";
            case "png" -> "image/png";
            default -> "image/webp";
        };
    }

    /** A command may take what pixq cannot read (a RAW file, say): then only the byte limit applies. */
    private String sniffedExtension(byte[] bytes, boolean commandFirst) {
        if (!commandFirst) {
            return extension(checked(bytes));
        }
        if (bytes.length > config.maxBytes()) {
            throw new ImageException("the file is " + bytes.length + " bytes, over the limit of " + config.maxBytes() + " bytes");
        }
        try {
            return extension(ImageHeader.read(bytes));
        } catch (ImageException notAnImage) {
            return ".bin";
        }
    }

    private static String extension(ImageHeader h) {
        return switch (h.format()) {
            case JPEG -> ".jpg";
            case PNG -> ".png";
            case GIF -> ".gif";
            case BMP -> ".bmp";
            case TIFF -> ".tif";
            case WEBP -> ".webp";
        };
    }

    private static boolean usesOrient(Recipe r) {
        return r.steps().stream().anyMatch(Orient.class::isInstance)
                || r.outputs().stream().anyMatch(o -> o.steps().stream().anyMatch(Orient.class::isInstance));
    }

    private static Map<String, ImageFilter> loadFilters() {
        Map<String, ImageFilter> map = new HashMap<>();
        for (ImageFilter f : ServiceLoader.load(ImageFilter.class)) {
            ImageFilter before = map.put(f.name(), f);
            if (before != null) {
                throw new IllegalStateException("two custom filters are named '" + f.name() + "': "
                        + before.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        return Map.copyOf(map);
    }
}
