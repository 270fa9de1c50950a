package pixq.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A JPEG's rows as libjpeg decodes them, top to bottom, for the resize filter ({@link Lanczos.Source}): a photo
 * shrunk by the filter is never held whole, only the rows its window spans (440 photos at fit 1024, 2 workers: peak
 * RSS median 282 -> 258 MB; 8 workers 645-662 -> 559-596 MB; bench/RESULTS.md). The native half is
 * src/main/c/jpeg_rows.c, in pixq's {@link NativeImage} library. Without that library, or for a file it cannot
 * start, the engine decodes whole with OpenCV.
 * The decode's memory is leased from the {@link DecodeBudget} until the stream is closed.
 */
final class JpegRows implements Lanczos.Source, AutoCloseable {
    private long handle;
    private final int width;
    private final int height;
    private final int channels;
    private final DecodeBudget.Lease lease;
    private int next;

    private JpegRows(long handle, int[] dims, DecodeBudget.Lease lease) {
        this.handle = handle;
        this.width = dims[0];
        this.height = dims[1];
        this.channels = dims[2];
        this.lease = lease;
    }

    /**
     * Starts decoding at 1/{@code reduce} scale, or returns null when libjpeg cannot (the library is missing, or
     * the file is one the system's libjpeg does not start: the caller decodes it whole). The lease is closed with
     * the stream, or here when there is none.
     */
    static JpegRows open(byte[] jpeg, int reduce, DecodeBudget.Lease lease) {
        JpegRows rows = null;
        try {
            if (NativeImage.loaded()) {
                int[] dims = new int[3];
                long handle = open(jpeg, reduce, dims);
                rows = new JpegRows(handle, dims, lease);
            }
        } catch (ImageException e) {
            // OpenCV's decoder then says what is wrong with the file, or reads what this libjpeg cannot
        } finally {
            if (rows == null) {
                lease.close();
            }
        }
        return rows;
    }

    @Override
    public int cols() {
        return width;
    }

    @Override
    public int rows() {
        return height;
    }

    @Override
    public int channels() {
        return channels;
    }

    /**
     * Rows come in order: libjpeg decodes forwards only, and the filter's window only moves down (rows it skips
     * are read and dropped).
     */
    @Override
    public void read(int from, int n, long[] into) {
        if (from < next || from + n > height) {
            throw new IllegalStateException("JPEG rows " + from + "+" + n + " asked after row " + next + " of " + height);
        }
        for (; next < from; next++) {
            readRow(handle, 0);
        }
        for (int i = 0; i < n; i++) {
            readRow(handle, into[i]);
        }
        next += n;
    }

    /** The whole image as a Mat, for a step other than a shrinking resize; the stream is closed. */
    Mat whole() {
        if (next != 0) {
            throw new IllegalStateException("the JPEG's first " + next + " rows were already read");
        }
        Mat m = new Mat(height, width, CV_8UC(channels));
        try {
            read(handle, m.data().address(), height);
        } catch (RuntimeException e) {
            Canvas.free(m);
            throw e;
        } finally {
            close();
        }
        return m;
    }

    @Override
    public void close() {
        if (handle != 0) {
            close(handle);
            handle = 0;
            lease.close();
        }
    }

    private static native long open(byte[] jpeg, int denom, int[] dims);

    private static native void read(long handle, long address, int rows);

    private static native void readRow(long handle, long address);

    private static native void close(long handle);
}
