package pixq.image;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import pixq.recipe.Operation;
import pixq.recipe.Operation.Command;
import pixq.recipe.Operation.Orient;
import pixq.recipe.Operation.Resize;
import pixq.recipe.Operation.Strip;
import pixq.recipe.Output;
import pixq.recipe.Recipe;

/**
 * The image engine on OpenCV (libjpeg-turbo, libpng, libtiff, libwebp inside the JavaCPP jars) and, for HEIC
 * and AVIF in and AVIF out, the system's libheif ({@link Heif}), in stages:
 * {@link Intake} (header and limits, before any decoder runs) → leading {@code command} steps on the raw bytes
 * → {@link ShrinkPlan} (the JPEG shrink-on-load factor, from each step's {@link Geometry}) → {@link Decoder}
 * (once, ignoring the EXIF orientation: the {@code orient} step applies it) → {@link StepRunner} (the shared
 * steps, then each output's own on that shared image) → {@link Encoder} (sRGB, flattening, metadata kept).
 * All native memory of a render is released when it returns.
 *
 * <p>Decisions: resizes that shrink use Lanczos3 on premultiplied alpha. Pixels are converted from an embedded
 * RGB profile to sRGB, unless the output keeps the profile; a CMYK JPEG's embedded profile is applied by
 * {@link CmykJpeg}. Outputs carry only the metadata they keep. A JPEG without its end-of-image marker, or a PNG
 * without IEND, is refused as truncated rather than rendered half gray. Alpha is kept for PNG and WebP and
 * flattened onto white for JPEG. 16-bit images become 8-bit.
 */
public final class OpenCvImageEngine implements ImageEngine {
    /** An image this large (or any progressive JPEG) leaves the worker's malloc arena trimmed after it. */
    private static final long TRIM_AFTER_PIXELS = 8_000_000;
    private final EngineConfig config;
    private final Intake intake;
    private final StepRunner.Tools tools;
    private final DecodeBudget decodeBudget;

    public OpenCvImageEngine() {
        this(EngineConfig.defaults());
    }

    public OpenCvImageEngine(EngineConfig config) {
        this.config = config;
        this.intake = new Intake(config);
        this.decodeBudget = new DecodeBudget(config.decodeMemory());
        this.tools = new StepRunner.Tools(new CommandRunner(config), config, intake, loadFilters());
        opencv_core.setNumThreads(config.openCvThreads() <= 1 ? 0 : config.openCvThreads()); // 0 = no thread pool
    }

    /** Whether pixq's native image library is loaded, and what that changes, for {@code pixq --version}. */
    public static String nativeLibrary() {
        return NativeImage.describe();
    }

    public EngineConfig config() {
        return config;
    }

    @Override
    public List<Rendition> render(byte[] input, Recipe recipe, List<String> args, Map<String, String> commandEnv) {
        try {
            recipe.validated();
        } catch (IllegalArgumentException e) {
            throw new ImageException("bad recipe: " + e.getMessage(), e);
        }
        List<String> jobArgs = args == null ? List.of() : List.copyOf(args);
        List<Operation> steps = recipe.steps();
        byte[] bytes = input;
        int first = 0;
        String ext = bytes == null ? "" : intake.sniffedExtension(bytes, !steps.isEmpty() && steps.get(0) instanceof Command);
        List<Rendition> commandFiles = new ArrayList<>();
        for (; first < steps.size() && steps.get(first) instanceof Command c; first++) {
            boolean last = recipe.writesCommandFiles() && first == steps.size() - 1;
            CommandRunner.Result result = tools.commands().run(c, bytes, ext, jobArgs, commandEnv, !last);
            commandFiles.addAll(result.files());
            if (last) {
                return distinct(commandFiles);
            }
            bytes = result.image();
            ext = Intake.extension(intake.checked(bytes));
        }
        if (bytes == null) {
            throw new ImageException("the job has no input image, and its recipe does not start with a command that makes one");
        }
        ImageHeader header = intake.checked(bytes);
        List<Operation> shared = steps.subList(first, steps.size());
        boolean anyPixels = recipe.outputs().stream().anyMatch(o -> !o.isMeta());
        boolean anyMeta = recipe.outputs().stream().anyMatch(Output::isMeta);
        boolean keepsExif = recipe.outputs().stream().anyMatch(o -> o.keep() != null && !o.keep().equals(List.of(Output.Keep.ICC)));
        SourceMetadata meta = anyMeta || (anyPixels && (usesOrient(recipe) || keepsExif)) ? SourceMetadata.read(bytes, header) : SourceMetadata.NONE;
        Encoder.Source source = anyPixels
                ? new Encoder.Source(ColourProfile.of(MetadataBlocks.icc(bytes, header.format())), meta.keepable())
                : Encoder.Source.NONE;
        try (PointerScope scope = new PointerScope()) {
            Canvas common = anyPixels ? decode(bytes, header, meta.orientation(), source.profile(), shared, recipe.outputs()) : null;
            try {
                if (common != null) {
                    new StepRunner(tools, jobArgs, commandEnv).run(common, shared);
                }
                List<Rendition> renditions = new ArrayList<>(commandFiles);
                for (Output o : recipe.outputs()) {
                    if (o.isMeta()) {
                        renditions.add(new Rendition(o.suffix(), "application/json", meta.toJson(header, bytes.length)));
                        continue;
                    }
                    Canvas mine = new StepRunner(tools, jobArgs, commandEnv).run(common.branch(), o.steps());
                    try {
                        byte[] encoded = Encoder.encode(mine.mat(), o, source, mine.frame.orientation());
                        renditions.add(new Rendition(o.suffix(), Encoder.contentType(o), encoded));
                    } finally {
                        mine.close();
                    }
                }
                if (common != null) {
                    renditions.addAll(common.commandFiles);
                }
                return distinct(renditions);
            } finally {
                if (common != null) {
                    common.close(); // a JPEG stream a failed step left unread holds native memory and the decode budget
                }
            }
        } catch (ImageException | ImageException.Unavailable e) {
            throw e; // both already say what kind of trouble they are: an unavailable resource may be retried
        } catch (RuntimeException e) { // OpenCV's cv::Exception arrives as a RuntimeException
            String why = String.valueOf(e.getMessage()).lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("");
            if (why.contains("Failed to allocate") || why.contains("Insufficient memory")) {
                throw ImageException.outOfMemory(e);
            }
            throw new ImageException("the image could not be processed: " + why.strip(), e);
        } finally {
            // Under glibc's malloc (where tcmalloc is not installed) a large decode's memory stays in the worker's
            // arena, so two workers' arenas each stayed at their largest image: handed back after such an image
            // (-30 MB median at the peak, bench/RESULTS.md); after every image it cost 6 % more CPU in page faults.
            // Under tcmalloc, as ./pixq and the worker image run pixq, glibc has nothing to hand back (MallocTrim).
            if (header.coefficientBytes() > 0 || (long) header.width() * header.height() >= TRIM_AFTER_PIXELS) {
                MallocTrim.trim();
            }
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

    private Canvas decode(byte[] bytes, ImageHeader header, int orientation, ColourProfile profile,
                          List<Operation> shared, List<Output> outputs) {
        boolean jpeg = header.format() == ImageHeader.Format.JPEG;
        boolean cmykProfile = jpeg && header.components() == 4 && profile != null && profile.isCmyk();
        int reduce = jpeg && !cmykProfile ? ShrinkPlan.reduceFactor(header.width(), header.height(), orientation, shared, outputs) : 1;
        // A stream holds its copy of the file (and a progressive file's coefficients) until the resize ends: worth
        // it where the decoded image would be larger than the file, not for a photo decoded at 1/8 for a thumbnail
        // (440 photos at fit 256 on 64 workers peaked no lower streamed; bench/RESULTS.md).
        long decodedBytes = (long) ShrinkPlan.ceilDiv(header.width(), reduce)
                * ShrinkPlan.ceilDiv(header.height(), reduce) * header.components();
        boolean stream = jpeg && header.components() != 4 && decodedBytes > bytes.length && resizesFirst(shared);
        // A file cut to the scans a 1/8 decode reads is for pixq's libjpeg only: OpenCV's would take it for a file
        // still downloading and smooth its blocks.
        byte[] scans = reduce == 8 && header.coefficientBytes() > 0 && header.components() != 4 && NativeImage.loaded()
                ? JpegScans.forEighthScale(bytes) : bytes;
        if (stream || scans != bytes) {
            JpegRows rows = JpegRows.open(scans, reduce, decodeBudget.lease(header.coefficientBytes()));
            if (rows != null) {
                Geometry.Frame frame = decodedFrame(header, reduce, orientation, rows.cols(), rows.rows());
                return stream ? Canvas.streaming(rows, frame, 1.0 / reduce) : new Canvas(rows.whole(), true, frame, 1.0 / reduce);
            }
        }
        Mat mat = decodeBudget.within(header.coefficientBytes(),
                () -> cmykProfile ? CmykJpeg.decode(bytes, profile) : Decoder.decode(bytes, header, reduce));
        return new Canvas(mat, true, decodedFrame(header, reduce, orientation, mat.cols(), mat.rows()), 1.0 / reduce);
    }

    /** What the steps see of a decode: a shrunk one stands for the full-size source, a whole one is its own size. */
    private static Geometry.Frame decodedFrame(ImageHeader header, int reduce, int orientation, int cols, int rows) {
        return reduce > 1 ? new Geometry.Frame(header.width(), header.height(), orientation)
                : new Geometry.Frame(cols, rows, orientation);
    }

    /**
     * Whether the shared steps start with a resize, after at most orient (which the resize does after it, on its
     * small result) and strip: then a JPEG streams its rows to the resize's filter instead of being decoded whole.
     */
    private static boolean resizesFirst(List<Operation> shared) {
        for (Operation op : shared) {
            if (op instanceof Resize) {
                return true;
            }
            if (!(op instanceof Strip || op instanceof Orient)) {
                return false;
            }
        }
        return false;
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
