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
    boolean reduced;
    /** Files that commands among the steps wrote into their output folder: shared by every branch. */
    List<Rendition> commandFiles = new ArrayList<>();

    Canvas(Mat mat, boolean owned, Geometry.Frame frame, boolean reduced) {
        this.mat = mat;
        this.owned = owned;
        this.frame = frame;
        this.reduced = reduced;
    }

    /** A start for one output: the same pixels, not owned. */
    Canvas branch() {
        Canvas c = new Canvas(mat, false, frame, reduced);
        c.commandFiles = commandFiles;
        return c;
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
