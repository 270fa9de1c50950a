package pixq.image;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/** The image as it goes through the steps, with what the steps need to know about its origin. */
final class Canvas {
    Mat mat;
    /** False while the Mat is the shared image other outputs also start from: it must not be changed or closed. */
    boolean owned;
    /**
     * The geometry the steps see: the EXIF orientation still to apply and, while the decode was shrunk and no
     * resize has run yet, the full-size dimensions the smaller pixels stand for.
     */
    Geometry.Frame frame;
    /** Decoded pixels per source pixel: 1, or 1/4 (say) while the pixels are a shrunk decode no resize has run on. */
    double scale;
    /** Files that commands among the steps wrote into their output folder: shared by every branch. */
    List<Rendition> commandFiles = new ArrayList<>();

    Canvas(Mat mat, boolean owned, Geometry.Frame frame, double scale) {
        this.mat = mat;
        this.owned = owned;
        this.frame = frame;
        this.scale = scale;
    }

    /** Whether the pixels are a shrunk decode standing for the frame's full-size dimensions. */
    boolean reduced() {
        return scale != 1;
    }

    /** A start for one output: the same pixels, not owned. */
    Canvas branch() {
        Canvas c = new Canvas(mat, false, frame, scale);
        c.commandFiles = commandFiles;
        return c;
    }

    /**
     * The part of the pixels the source covers: a shrunk decode rounds its size up (3837 rows by 4 give 960
     * standing for 959.25), and the partial block sits on the side the decode's first pixel is not.
     */
    Lanczos.Window window() {
        if (!reduced()) {
            return Lanczos.Window.all(mat);
        }
        double w = frame.width() * scale;
        double h = frame.height() * scale;
        return new Lanczos.Window(frame.originRight() ? mat.cols() - w : 0, frame.originBottom() ? mat.rows() - h : 0, w, h);
    }

    void replace(Mat next) {
        if (owned && next != mat) {
            free(mat); // the big pixel buffer goes as soon as the next step has its own
        }
        mat = next;
        owned = true;
    }

    void close() {
        if (owned) {
            free(mat);
        }
    }

    /**
     * Frees a Mat's pixels now. Inside the render's {@code PointerScope}, {@code close()} alone frees nothing until
     * the render ends (the scope holds a reference), so every image a job passes through would stay resident at once.
     */
    static void free(Mat m) {
        m.release();
        m.close();
    }
}
