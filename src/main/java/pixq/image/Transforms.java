package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_180;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_CLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2BGRA;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGRA2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGRA;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;

import java.util.function.UnaryOperator;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import pixq.recipe.Colour;
import pixq.recipe.Gravity;

/**
 * The pixel operations, on 8-bit Mats of 1 (gray), 3 (BGR) or 4 (BGRA) channels. Each returns a NEW Mat and
 * leaves its input alone, so a branch can never change the shared image other outputs start from.
 */
final class Transforms {
    private Transforms() {}

    /** Applies EXIF orientation 1..8 so the pixels stand upright. */
    static Mat orient(Mat m, int orientation) {
        Mat out = new Mat();
        switch (orientation) {
            case 2 -> opencv_core.flip(m, out, 1);
            case 3 -> opencv_core.rotate(m, out, ROTATE_180);
            case 4 -> opencv_core.flip(m, out, 0);
            case 5 -> opencv_core.transpose(m, out);
            case 6 -> opencv_core.rotate(m, out, ROTATE_90_CLOCKWISE);
            case 7 -> { // transverse: mirror along the anti-diagonal
                try (Mat t = new Mat()) {
                    opencv_core.transpose(m, t);
                    opencv_core.flip(t, out, -1);
                }
            }
            case 8 -> opencv_core.rotate(m, out, ROTATE_90_COUNTERCLOCKWISE);
            default -> m.copyTo(out);
        }
        return out;
    }

    static Mat rotate(Mat m, int degrees) {
        Mat out = new Mat();
        opencv_core.rotate(m, out, degrees == 90 ? ROTATE_90_CLOCKWISE : degrees == 180 ? ROTATE_180 : ROTATE_90_COUNTERCLOCKWISE);
        return out;
    }

    /** @param code 0 top-bottom (flip), 1 left-right (flop) */
    static Mat mirror(Mat m, int code) {
        Mat out = new Mat();
        opencv_core.flip(m, out, code);
        return out;
    }

    /**
     * Scales the window of {@code m} to the sizing's scaled size (Lanczos3 when any side shrinks), then crops or
     * pads to its output size.
     */
    static Mat resize(Mat m, Lanczos.Window from, Sizing s, Scalar background) {
        return placed(scale(m, from, s.scaledW(), s.scaledH()), s, background);
    }

    /**
     * The same for an image the resize shrinks, read a band of rows at a time (a JPEG as it decodes) as stored,
     * then turned to its EXIF orientation once small.
     */
    static Mat resize(Lanczos.Source rows, Lanczos.Window from, int orientation, Sizing s, Scalar background) {
        boolean transposed = Geometry.transposes(orientation);
        Mat scaled = Lanczos.resize(rows, from, transposed ? s.scaledH() : s.scaledW(), transposed ? s.scaledW() : s.scaledH());
        if (orientation != 1) {
            try (Mat stored = scaled) {
                scaled = orient(stored, orientation);
            }
        }
        return placed(scaled, s, background);
    }

    /** The scaled image cropped to, or padded out to, the resize's output size. */
    private static Mat placed(Mat scaled, Sizing s, Scalar background) {
        if (s.outW() == s.scaledW() && s.outH() == s.scaledH()) {
            return scaled;
        }
        try (scaled) {
            if (s.x() <= 0 && s.y() <= 0) { // cover: crop the overflow
                return window(scaled, -s.x(), -s.y(), s.outW(), s.outH());
            }
            // a see-through or coloured padding needs the channels to hold it
            boolean needsAlpha = background.get(3) < 255 && scaled.channels() != 4;
            boolean needsColour = scaled.channels() == 1 && (background.get(0) != background.get(1) || background.get(1) != background.get(2));
            try (Mat wide = needsAlpha ? toChannels(scaled, 4) : needsColour ? toChannels(scaled, 3) : scaled.clone()) {
                Mat out = new Mat();
                opencv_core.copyMakeBorder(wide, out, s.y(), s.outH() - s.scaledH() - s.y(), s.x(),
                        s.outW() - s.scaledW() - s.x(), BORDER_CONSTANT, background);
                return out;
            }
        }
    }

    /** @param from the part of {@code m} to scale: all of it unless the decode was shrunk (then always a reduction) */
    static Mat scale(Mat m, Lanczos.Window from, int w, int h) {
        if (w == m.cols() && h == m.rows()) {
            return m.clone();
        }
        if (w < m.cols() || h < m.rows()) {
            return Lanczos.resize(m, from, w, h);
        }
        Mat out = new Mat();
        opencv_imgproc.resize(m, out, new Size(w, h), 0, 0, INTER_CUBIC);
        return out;
    }

    /** A copy of the window, clipped to the image; refused when nothing of it lies inside. */
    static Mat crop(Mat m, int x, int y, int w, int h) {
        if (x >= m.cols() || y >= m.rows()) {
            throw new ImageException("the crop box at " + x + "," + y + " lies outside the " + m.cols() + "×" + m.rows() + " image");
        }
        return window(m, x, y, Math.min(w, m.cols() - x), Math.min(h, m.rows() - y));
    }

    static Mat crop(Mat m, int w, int h, Gravity g) {
        int cw = Math.min(w, m.cols());
        int ch = Math.min(h, m.rows());
        return window(m, g.offset(m.cols(), cw, true), g.offset(m.rows(), ch, false), cw, ch);
    }

    private static Mat window(Mat m, int x, int y, int w, int h) {
        try (Mat view = new Mat(m, new Rect(x, y, w, h))) {
            return view.clone();
        }
    }

    /** Gray keeps its alpha: BGRA becomes gray replicated into BGR plus the same alpha. */
    static Mat grayscale(Mat m) {
        Mat out = new Mat();
        if (m.channels() == 1) {
            m.copyTo(out);
        } else if (m.channels() == 3) {
            opencv_imgproc.cvtColor(m, out, COLOR_BGR2GRAY);
        } else {
            try (Mat gray = new Mat(); Mat alpha = new Mat(); MatVector planes = new MatVector(4)) {
                opencv_imgproc.cvtColor(m, gray, COLOR_BGRA2GRAY);
                opencv_core.extractChannel(m, alpha, 3);
                planes.put(gray, gray, gray, alpha);
                opencv_core.merge(planes, out);
            }
        }
        return out;
    }

    static Mat blur(Mat m, double sigma) {
        return premultiplied(m, p -> gaussian(p, sigma));
    }

    /** Unsharp mask: out = m + amount × (m − blur(m)). */
    static Mat sharpen(Mat m, double sigma, double amount) {
        return premultiplied(m, p -> {
            Mat out = new Mat();
            try (Mat blurred = gaussian(p, sigma)) {
                opencv_core.addWeighted(p, 1 + amount, blurred, -amount, 0, out);
            }
            return out;
        });
    }

    private static Mat gaussian(Mat m, double sigma) {
        Mat out = new Mat();
        opencv_imgproc.GaussianBlur(m, out, new Size(0, 0), sigma, sigma, opencv_core.BORDER_REFLECT_101, 0);
        return out;
    }

    /**
     * Runs a filter on colour premultiplied by alpha (in float), then un-premultiplies: transparent pixels lend
     * no colour to their neighbours, so no dark fringe. Layouts without alpha go straight to the filter.
     */
    static Mat premultiplied(Mat m, UnaryOperator<Mat> filter) {
        if (m.channels() != 4) {
            return filter.apply(m);
        }
        try (Mat f = new Mat(); Mat weights = new Mat()) {
            m.convertTo(f, CV_32F);
            alphaWeights(f, weights);
            opencv_core.multiply(f, weights, f);
            try (Mat g = filter.apply(f)) {
                alphaWeights(g, weights);
                opencv_core.divide(g, weights, g); // 0 where alpha is 0
                Mat out = new Mat();
                g.convertTo(out, CV_8U);
                return out;
            }
        }
    }

    /** (a, a, a, 1) per pixel with a = alpha / 255, clamped to 0..1 (a filter may overshoot). */
    private static void alphaWeights(Mat bgra, Mat weights) {
        try (Mat a = new Mat(); Mat one = new Mat(bgra.rows(), bgra.cols(), CV_32F, new Scalar(1.0)); MatVector v = new MatVector(4)) {
            opencv_core.extractChannel(bgra, a, 3);
            a.convertTo(a, CV_32F, 1 / 255.0, 0);
            opencv_imgproc.threshold(a, a, 1, 1, opencv_imgproc.THRESH_TRUNC);
            opencv_imgproc.threshold(a, a, 0, 0, opencv_imgproc.THRESH_TOZERO);
            v.put(a, a, a, one);
            opencv_core.merge(v, weights);
        }
    }

    /** JPEG has no alpha: composite BGRA onto white; other layouts pass through (gray stays gray). */
    static Mat flattenOnWhite(Mat m) {
        Mat out = new Mat();
        if (m.channels() != 4) {
            m.copyTo(out);
            return out;
        }
        try (Mat bgr = new Mat(); Mat a = new Mat(); Mat a3 = new Mat(); Mat inv = new Mat(); Mat fg = new Mat()) {
            opencv_imgproc.cvtColor(m, bgr, COLOR_BGRA2BGR);
            opencv_core.extractChannel(m, a, 3);
            opencv_imgproc.cvtColor(a, a3, COLOR_GRAY2BGR);
            opencv_core.bitwise_not(a3, inv);
            opencv_core.multiply(bgr, a3, fg, 1 / 255.0, -1);
            opencv_core.add(fg, inv, out); // white × (1 − a) is just 255 − a
        }
        return out;
    }

    /** Converts to {@code channels} (1, 3 or 4; alpha opaque when added). */
    static Mat toChannels(Mat m, int channels) {
        Mat out = new Mat();
        int have = m.channels();
        if (have == channels) {
            m.copyTo(out);
        } else if (channels == 1) {
            opencv_imgproc.cvtColor(m, out, have == 3 ? COLOR_BGR2GRAY : COLOR_BGRA2GRAY);
        } else if (channels == 3) {
            opencv_imgproc.cvtColor(m, out, have == 1 ? COLOR_GRAY2BGR : COLOR_BGRA2BGR);
        } else {
            opencv_imgproc.cvtColor(m, out, have == 1 ? COLOR_GRAY2BGRA : COLOR_BGR2BGRA);
        }
        return out;
    }

    /** Text in white, its height {@code scale} of the shorter side, blended with {@code opacity} at gravity. */
    static Mat textWatermark(Mat m, String text, Gravity g, double opacity, double scale) {
        String ascii = text.replace("©", "(c)").replaceAll("[^\\x20-\\x7E]", "?"); // Hershey fonts are ASCII only
        int shorter = Math.min(m.cols(), m.rows());
        int targetHeight = Math.max(6, (int) Math.round(shorter * scale));
        int thickness = Math.max(1, targetHeight / 12);
        int[] baseline = new int[1];
        Size unit = opencv_imgproc.getTextSize(ascii, FONT_HERSHEY_SIMPLEX, 1.0, thickness, baseline);
        double fontScale = targetHeight / (double) Math.max(1, unit.height());
        Size box = opencv_imgproc.getTextSize(ascii, FONT_HERSHEY_SIMPLEX, fontScale, thickness, baseline);
        int w = Math.min(m.cols(), box.width() + 2 * thickness);
        int h = Math.min(m.rows(), box.height() + baseline[0] + 2 * thickness);
        try (Mat mask = new Mat(h, w, CV_8UC1, new Scalar(0.0)); Mat white = new Mat(h, w, CV_8UC1, new Scalar(255.0))) {
            opencv_imgproc.putText(mask, ascii, new Point(thickness, thickness + box.height()), FONT_HERSHEY_SIMPLEX,
                    fontScale, new Scalar(255.0), thickness, LINE_AA, false);
            return blendAt(m, white, mask, g, opacity);
        }
    }

    /** An image watermark (any layout) scaled to {@code scale} of the image's width. */
    static Mat imageWatermark(Mat m, Mat mark, Gravity g, double opacity, double scale) {
        int w = Math.max(1, Math.min(m.cols(), (int) Math.round(m.cols() * scale)));
        int h = Math.max(1, Math.min(m.rows(), (int) Math.round(mark.rows() * (w / (double) mark.cols()))));
        try (Mat bgra = toChannels(mark, 4); Mat sized = scale(bgra, Lanczos.Window.all(bgra), w, h); Mat alpha = new Mat()) {
            opencv_core.extractChannel(sized, alpha, 3);
            return blendAt(m, sized, alpha, g, opacity);
        }
    }

    /** A copy of {@code m} with {@code fg} laid over it at gravity (2% margin), weighted by alpha × opacity. */
    private static Mat blendAt(Mat m, Mat fg, Mat alpha, Gravity g, double opacity) {
        int margin = (int) Math.round(Math.min(m.cols(), m.rows()) * 0.02);
        int w = fg.cols();
        int h = fg.rows();
        int x = Math.max(0, Math.min(m.cols() - w, margin + g.offset(m.cols() - 2 * margin, w, true)));
        int y = Math.max(0, Math.min(m.rows() - h, margin + g.offset(m.rows() - 2 * margin, h, false)));
        Mat out = m.clone();
        int n = m.channels();
        try (Mat roi = new Mat(out, new Rect(x, y, w, h)); Mat fgN = toChannels(fg, n);
             Mat roiF = new Mat(); Mat fgF = new Mat(); Mat aF = new Mat(); Mat aN = new Mat(); Mat diff = new Mat();
             MatVector planes = new MatVector(n)) {
            roi.convertTo(roiF, CV_32F);
            fgN.convertTo(fgF, CV_32F);
            alpha.convertTo(aF, CV_32F, opacity / 255.0, 0);
            for (int i = 0; i < n; i++) {
                planes.put(i, aF);
            }
            opencv_core.merge(planes, aN);
            opencv_core.subtract(fgF, roiF, diff);
            opencv_core.multiply(diff, aN, diff);
            opencv_core.add(roiF, diff, roiF);
            roiF.convertTo(roi, CV_8U); // writes through the window into out
        }
        return out;
    }

    /** "white", "black", "transparent", "#rrggbb" or "#rrggbbaa", as a BGRA scalar. */
    static Scalar color(String text) {
        Colour c = Colour.parse(text == null ? "white" : text);
        return new Scalar(c.blue(), c.green(), c.red(), c.alpha());
    }
}
