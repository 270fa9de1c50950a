package pixq.image;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/** The image as it goes through the steps, with what the steps need to know about its origin. */
final class Canvas {
    /** The pixels; null while {@link #stream} has them still to decode. */
    private Mat mat;
    /** A JPEG still decoding, until a shrinking resize reads it or another step needs it whole ({@link #mat()}). */
    private JpegRows stream;
    /**
     * The EXIF orientation the stream's rows still need though the frame has it applied (1: none): the orient step
     * leaves the rows as stored, and the resize turns its small result instead of the whole image.
     */
    int turn = 1;
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

    /** A canvas whose pixels a JPEG stream still holds: the first step decides whether they are ever decoded whole. */
    static Canvas streaming(JpegRows stream, Geometry.Frame frame, double scale) {
        Canvas c = new Canvas(null, true, frame, scale);
        c.stream = stream;
        return c;
    }

    /** The pixels, decoded whole now if they were still streaming. */
    Mat mat() {
        if (stream != null) {
            mat = stream.whole();
            stream = null;
            if (turn != 1) {
                Mat turned = Transforms.orient(mat, turn);
                free(mat);
                mat = turned;
                turn = 1;
            }
        }
        return mat;
    }

    /** The JPEG stream a shrinking resize may read instead of the whole image, or null once decoded. */
    JpegRows stream() {
        return stream;
    }

    /** The pixels' width as the steps see them: a stream's turned by {@link #turn}. */
    int cols() {
        return stream == null ? mat.cols() : Geometry.transposes(turn) ? stream.rows() : stream.cols();
    }

    int rows() {
        return stream == null ? mat.rows() : Geometry.transposes(turn) ? stream.cols() : stream.rows();
    }

    /** Whether the pixels are a shrunk decode standing for the frame's full-size dimensions. */
    boolean reduced() {
        return scale != 1;
    }

    /** A start for one output: the same pixels, not owned. */
    Canvas branch() {
        Canvas c = new Canvas(mat(), false, frame, scale);
        c.commandFiles = commandFiles;
        return c;
    }

    /**
     * The part of the pixels the source covers: a shrunk decode rounds its size up (3837 rows by 4 give 960
     * standing for 959.25), and the partial block sits on the side the decode's first pixel is not.
     */
    Lanczos.Window window() {
        if (!reduced()) {
            return new Lanczos.Window(0, 0, cols(), rows());
        }
        double w = frame.width() * scale;
        double h = frame.height() * scale;
        return new Lanczos.Window(frame.originRight() ? cols() - w : 0, frame.originBottom() ? rows() - h : 0, w, h);
    }

    /**
     * {@link #window()} in the stream's rows as stored, before {@link #turn}: a shrunk decode's partial blocks are at
     * the stored image's right and bottom, so the window starts at its first pixel.
     */
    Lanczos.Window streamWindow() {
        Lanczos.Window w = window();
        return Geometry.transposes(turn) ? new Lanczos.Window(0, 0, w.height(), w.width())
                : new Lanczos.Window(0, 0, w.width(), w.height());
    }

    void replace(Mat next) {
        closeStream();
        turn = 1;
        if (owned && mat != null && next != mat) {
            free(mat); // the big pixel buffer goes as soon as the next step has its own
        }
        mat = next;
        owned = true;
    }

    void close() {
        closeStream();
        if (owned && mat != null) {
            free(mat);
        }
    }

    private void closeStream() {
        if (stream != null) {
            stream.close(); // its decode's memory, and its lease on the decode budget
            stream = null;
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
