package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC4;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2RGBA;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGBA2BGRA;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * HEIC and AVIF through the system's libheif (Debian's libheif1: libde265 decodes HEVC, dav1d or libaom AV1,
 * libaom encodes AV1), called through JNA: Java 17's foreign-function API is an incubator, and no JavaCPP
 * preset covers libheif. Loaded once, on first use; where it is missing every HEIC or AVIF job fails with
 * {@link #MISSING}'s reason, naming what to install. libheif applies the image's rotation and mirroring
 * (irot, imir) while decoding, as the format requires.
 */
public final class Heif {
    /** What to install, said once by {@code pixq run} and in each such job's failure. */
    public static final String MISSING = "HEIC and AVIF need libheif, which this machine lacks: install it"
            + " (Debian/Ubuntu: apt-get install libheif1; Fedora: dnf install libheif)";

    /**
     * The library's names, tried in turn: libheif.so (or .dylib) where its development package is installed,
     * else the runtime package's libheif.so.1. The system property pixq.libheif replaces them with one name or
     * path: a test points it at a file that is not there to see the message.
     */
    private static final List<String> LIBRARY = Optional.ofNullable(System.getProperty("pixq.libheif"))
            .map(List::of).orElse(List.of("heif", "libheif.so.1"));

    private static final int COLORSPACE_RGB = 1;
    private static final int CHROMA_INTERLEAVED_RGB = 10;
    private static final int CHROMA_INTERLEAVED_RGBA = 11;
    private static final int CHANNEL_INTERLEAVED = 10;
    private static final int COMPRESSION_AV1 = 4;
    private static final int UNSUPPORTED_FEATURE = 4;
    private static final int UNSUPPORTED_CODEC = 3001;

    private Heif() {}

    /** The library, or why it cannot be used; loaded on first use, once per JVM. */
    private static final class Loaded {
        static final LibHeif LIB;
        static final String PROBLEM;

        static {
            LibHeif lib = null;
            String problem = null;
            for (String name : LIBRARY) {
                try {
                    lib = Native.load(name, LibHeif.class);
                    problem = null;
                    break;
                } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                    String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
                    problem = MISSING + " (" + (why.endsWith(":") ? why.substring(0, why.length() - 1) : why) + ")";
                }
            }
            LIB = lib;
            PROBLEM = problem;
        }
    }

    /** Why HEIC and AVIF cannot be read or written here, or empty when they can. */
    public static Optional<String> unavailable() {
        return Optional.ofNullable(Loaded.PROBLEM);
    }

    private static LibHeif lib() {
        if (Loaded.LIB == null) {
            throw new ImageException(Loaded.PROBLEM);
        }
        return Loaded.LIB;
    }

    /** The primary image, as BGR or BGRA, rotation and mirroring applied, high bit depths made 8-bit. */
    static Mat decode(byte[] bytes, String format, int threads) {
        LibHeif heif = lib();
        Pointer ctx = heif.heif_context_alloc();
        Memory data = new Memory(bytes.length);
        data.write(0, bytes, 0, bytes.length);
        PointerByReference handleRef = new PointerByReference();
        PointerByReference imageRef = new PointerByReference();
        Pointer options = heif.heif_decoding_options_alloc();
        try {
            heif.heif_context_set_max_decoding_threads(ctx, Math.max(1, threads));
            check(heif.heif_context_read_from_memory_without_copy(ctx, data, bytes.length, null), format, "read");
            check(heif.heif_context_get_primary_image_handle(ctx, handleRef), format, "read");
            Pointer handle = handleRef.getValue();
            boolean alpha = heif.heif_image_handle_has_alpha_channel(handle) != 0;
            DecodingOptions o = new DecodingOptions(options);
            o.convert_hdr_to_8bit = 1;
            o.write();
            check(heif.heif_decode_image(handle, imageRef, COLORSPACE_RGB,
                    alpha ? CHROMA_INTERLEAVED_RGBA : CHROMA_INTERLEAVED_RGB, options), format, "decode");
            Pointer image = imageRef.getValue();
            IntByReference stride = new IntByReference();
            Pointer plane = heif.heif_image_get_plane_readonly(image, CHANNEL_INTERLEAVED, stride);
            int width = heif.heif_image_get_width(image, CHANNEL_INTERLEAVED);
            int height = heif.heif_image_get_height(image, CHANNEL_INTERLEAVED);
            if (plane == null || width <= 0 || height <= 0) {
                throw new ImageException("the " + format + " file is corrupt: libheif gave no pixels");
            }
            // The plane wrapped in place, then converted once into a Mat of OpenCV's own.
            try (Mat rgb = new Mat(height, width, alpha ? CV_8UC4 : CV_8UC3, new NativeAddress(Pointer.nativeValue(plane)),
                    stride.getValue())) {
                Mat bgr = new Mat();
                opencv_imgproc.cvtColor(rgb, bgr, alpha ? COLOR_RGBA2BGRA : COLOR_RGB2BGR);
                return bgr;
            }
        } finally {
            if (imageRef.getValue() != null) {
                heif.heif_image_release(imageRef.getValue());
            }
            if (handleRef.getValue() != null) {
                heif.heif_image_handle_release(handleRef.getValue());
            }
            heif.heif_decoding_options_free(options);
            heif.heif_context_free(ctx);
            data.close();
        }
    }

    /**
     * An AVIF of the BGR, BGRA or gray pixels, through libheif's AV1 encoder (libaom).
     *
     * @param icc  a profile to embed, or null (the pixels are then sRGB)
     * @param exif a TIFF-format EXIF block to embed, or null
     */
    static byte[] avif(Mat m, int quality, byte[] icc, byte[] exif) {
        LibHeif heif = lib();
        boolean alpha = m.channels() == 4;
        Pointer ctx = heif.heif_context_alloc();
        PointerByReference encoderRef = new PointerByReference();
        PointerByReference imageRef = new PointerByReference();
        PointerByReference handleRef = new PointerByReference();
        try {
            HeifError found = heif.heif_context_get_encoder_for_format(ctx, COMPRESSION_AV1, encoderRef);
            if (found.code != 0) {
                throw new ImageException("avif output needs an AV1 encoder, and this machine's libheif has none ("
                        + found.text() + "): install a libheif built with libaom (Debian 12: libheif1; Debian 13,"
                        + " Ubuntu 24.04: libheif-plugin-aomenc)");
            }
            Pointer encoder = encoderRef.getValue();
            check(heif.heif_encoder_set_lossy_quality(encoder, quality), "AVIF", "encode");
            check(heif.heif_image_create(m.cols(), m.rows(), COLORSPACE_RGB,
                    alpha ? CHROMA_INTERLEAVED_RGBA : CHROMA_INTERLEAVED_RGB, imageRef), "AVIF", "encode");
            Pointer image = imageRef.getValue();
            check(heif.heif_image_add_plane(image, CHANNEL_INTERLEAVED, m.cols(), m.rows(), 8), "AVIF", "encode");
            IntByReference stride = new IntByReference();
            Pointer plane = heif.heif_image_get_plane(image, CHANNEL_INTERLEAVED, stride);
            try (Mat target = new Mat(m.rows(), m.cols(), alpha ? CV_8UC4 : CV_8UC3,
                    new NativeAddress(Pointer.nativeValue(plane)), stride.getValue())) {
                int code = switch (m.channels()) {
                    case 1 -> COLOR_GRAY2RGB;
                    case 3 -> COLOR_BGR2RGB;
                    default -> COLOR_BGRA2RGBA;
                };
                opencv_imgproc.cvtColor(m, target, code); // written in place: target is libheif's plane
            }
            if (icc != null) {
                check(heif.heif_image_set_raw_color_profile(image, "prof", icc, icc.length), "AVIF", "encode");
            }
            check(heif.heif_context_encode_image(ctx, image, encoder, null, handleRef), "AVIF", "encode");
            if (exif != null) {
                check(heif.heif_context_add_exif_metadata(ctx, handleRef.getValue(), exif, exif.length), "AVIF", "encode");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Writer writer = new Writer();
            writer.write = (c, bytes, size, userData) -> {
                out.write(bytes.getByteArray(0, (int) size), 0, (int) size);
                return new HeifError.ByValue();
            };
            check(heif.heif_context_write(ctx, writer, null), "AVIF", "encode");
            return out.toByteArray();
        } finally {
            if (handleRef.getValue() != null) {
                heif.heif_image_handle_release(handleRef.getValue());
            }
            if (imageRef.getValue() != null) {
                heif.heif_image_release(imageRef.getValue());
            }
            if (encoderRef.getValue() != null) {
                heif.heif_encoder_release(encoderRef.getValue());
            }
            heif.heif_context_free(ctx);
        }
    }

    private static void check(HeifError e, String format, String doing) {
        if (e.code != 0) {
            String verb = doing.equals("encode") ? "could not encode the " + format + " output" : "the " + format
                    + " file could not be " + (doing.equals("read") ? "read" : "decoded");
            // Since libheif 1.16 its codecs are plugins, packaged apart: name the one this file needs.
            String plugin = e.code == UNSUPPORTED_FEATURE && e.subcode == UNSUPPORTED_CODEC && !doing.equals("encode")
                    ? " (libheif has no decoder for it: install libheif-plugin-"
                            + (format.equals("AVIF") ? "dav1d" : "libde265") + " where libheif's codecs are plugins)"
                    : "";
            throw new ImageException(verb + ": " + e.text() + plugin);
        }
    }

    /** A JavaCPP pointer at memory libheif owns, so a Mat can wrap a plane without copying it. */
    private static final class NativeAddress extends org.bytedeco.javacpp.Pointer {
        NativeAddress(long address) {
            this.address = address;
        }
    }

    /** struct heif_error, returned by value: code 0 is success. */
    @Structure.FieldOrder({"code", "subcode", "message"})
    public static class HeifError extends Structure {
        public int code;
        public int subcode;
        public Pointer message;

        String text() {
            String m = message == null ? "" : message.getString(0);
            return m.isBlank() ? "libheif error " + code + "." + subcode : m;
        }

        public static class ByValue extends HeifError implements Structure.ByValue {}
    }

    /** The start of struct heif_decoding_options (versions 1-2), allocated by libheif with its defaults. */
    @Structure.FieldOrder({"version", "ignore_transformations", "start_progress", "on_progress", "end_progress",
        "progress_user_data", "convert_hdr_to_8bit"})
    public static class DecodingOptions extends Structure {
        public byte version;
        public byte ignore_transformations;
        public Pointer start_progress;
        public Pointer on_progress;
        public Pointer end_progress;
        public Pointer progress_user_data;
        public byte convert_hdr_to_8bit;

        DecodingOptions(Pointer p) {
            super(p);
            read();
        }
    }

    /** struct heif_writer: libheif hands the file over in pieces. */
    @Structure.FieldOrder({"writer_api_version", "write"})
    public static class Writer extends Structure {
        public int writer_api_version = 1;
        public WriteCallback write;
    }

    public interface WriteCallback extends Callback {
        HeifError.ByValue invoke(Pointer ctx, Pointer data, long size, Pointer userData);
    }

    /** The part of libheif's C API pixq calls (libheif.h, 1.15 and later). */
    interface LibHeif extends Library {
        Pointer heif_context_alloc();

        void heif_context_free(Pointer ctx);

        void heif_context_set_max_decoding_threads(Pointer ctx, int threads);

        HeifError.ByValue heif_context_read_from_memory_without_copy(Pointer ctx, Pointer mem, long size, Pointer options);

        HeifError.ByValue heif_context_get_primary_image_handle(Pointer ctx, PointerByReference handle);

        int heif_image_handle_has_alpha_channel(Pointer handle);

        void heif_image_handle_release(Pointer handle);

        Pointer heif_decoding_options_alloc();

        void heif_decoding_options_free(Pointer options);

        HeifError.ByValue heif_decode_image(Pointer handle, PointerByReference image, int colorspace, int chroma, Pointer options);

        int heif_image_get_width(Pointer image, int channel);

        int heif_image_get_height(Pointer image, int channel);

        Pointer heif_image_get_plane_readonly(Pointer image, int channel, IntByReference stride);

        Pointer heif_image_get_plane(Pointer image, int channel, IntByReference stride);

        void heif_image_release(Pointer image);

        HeifError.ByValue heif_context_get_encoder_for_format(Pointer ctx, int compression, PointerByReference encoder);

        HeifError.ByValue heif_encoder_set_lossy_quality(Pointer encoder, int quality);

        void heif_encoder_release(Pointer encoder);

        HeifError.ByValue heif_image_create(int width, int height, int colorspace, int chroma, PointerByReference image);

        HeifError.ByValue heif_image_add_plane(Pointer image, int channel, int width, int height, int bitDepth);

        HeifError.ByValue heif_image_set_raw_color_profile(Pointer image, String type, byte[] data, long size);

        HeifError.ByValue heif_context_encode_image(Pointer ctx, Pointer image, Pointer encoder, Pointer options,
                                                    PointerByReference handle);

        HeifError.ByValue heif_context_add_exif_metadata(Pointer ctx, Pointer handle, byte[] data, int size);

        HeifError.ByValue heif_context_write(Pointer ctx, Writer writer, Pointer userData);
    }
}
