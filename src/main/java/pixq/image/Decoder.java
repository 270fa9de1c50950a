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

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes to an 8-bit Mat of 1, 3 or 4 channels (BGR order), never applying the EXIF orientation (the
 * {@code orient} step does). JPEGs may be shrunk by the DCT while decoding; CMYK and YCCK JPEGs come out as
 * BGR (libjpeg undoes YCCK, OpenCV inverts Adobe CMYK); 16-bit images become 8-bit. HEIC and AVIF go to libheif
 * ({@link Heif}), which does apply their rotation and mirroring (irot, imir), as that format requires.
 */
final class Decoder {
    private Decoder() {}

    /** @param reduce 1, 2, 4 or 8: the JPEG DCT shrink (ignored for other formats) */
    static Mat decode(byte[] bytes, ImageHeader header, int reduce) {
        if (header.format() == ImageHeader.Format.HEIF || header.format() == ImageHeader.Format.AVIF) {
            return Heif.decode(bytes, header.format().name(), opencv_core.getNumThreads()); // on the engine's threads
        }
        int flags;
        if (header.format() == ImageHeader.Format.JPEG) {
            boolean gray = header.components() == 1;
            flags = IMREAD_IGNORE_ORIENTATION | switch (reduce) {
                case 2 -> gray ? IMREAD_REDUCED_GRAYSCALE_2 : IMREAD_REDUCED_COLOR_2;
                case 4 -> gray ? IMREAD_REDUCED_GRAYSCALE_4 : IMREAD_REDUCED_COLOR_4;
                case 8 -> gray ? IMREAD_REDUCED_GRAYSCALE_8 : IMREAD_REDUCED_COLOR_8;
                default -> gray ? IMREAD_GRAYSCALE : IMREAD_COLOR;
            };
        } else {
            flags = IMREAD_UNCHANGED; // keeps alpha and 16 bits, and never applies orientation itself
        }
        Mat decoded;
        try (BytePointer data = new BytePointer(bytes); Mat buf = new Mat(1, bytes.length, CV_8UC1, data)) {
            decoded = opencv_imgcodecs.imdecode(buf, flags);
            data.deallocate(); // the file's native copy, now rather than when the render's scope ends
        }
        if (decoded == null || decoded.empty()) {
            throw new ImageException("the " + header.format().name() + " file is corrupt: the decoder could not read its pixels");
        }
        return to8Bit(decoded);
    }

    /** 16-bit and float images become 8-bit; 2-channel (gray + alpha) becomes BGRA. */
    private static Mat to8Bit(Mat m) {
        Mat out = m;
        if (m.depth() != CV_8U) {
            double scale = m.depth() == CV_16U ? 1 / 257.0 : m.depth() == CV_32F || m.depth() == CV_64F ? 255.0 : 1.0;
            out = new Mat();
            m.convertTo(out, CV_8U, scale, 0);
            Canvas.free(m);
        }
        if (out.channels() == 2) {
            Mat bgra = new Mat();
            opencv_core.mixChannels(out, 1, bgra, 1, new int[] {0, 0, 0, 1, 0, 2, 1, 3}, 4);
            Canvas.free(out);
            out = bgra;
        } else if (out.channels() != 1 && out.channels() != 3 && out.channels() != 4) {
            throw new ImageException("the image has " + out.channels() + " channels per pixel, which pixq does not handle");
        }
        return out;
    }
}
