package pixq.image;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * pixq's own native library, libpixqimage.so (src/main/c, built by its build.sh): JPEG rows streamed from libjpeg
 * into the resize ({@link JpegRows}) and the filter's horizontal pass ({@link Lanczos}). {@code mvn compile} builds
 * it where gcc and libjpeg's headers are, the worker image in a build stage; the system property {@value #LIBRARY}
 * names it (./pixq, the tests and the worker image set it). Without it the engine decodes JPEGs whole with OpenCV
 * and filters in Java: the same pictures, more memory and time.
 */
final class NativeImage {
    static final String LIBRARY = "pixq.imageLibrary";
    private static final String UNAVAILABLE = load();

    private NativeImage() {}

    static boolean loaded() {
        return UNAVAILABLE == null;
    }

    /** What {@code pixq --version} says of it: loaded from where, or why not. */
    static String describe() {
        return UNAVAILABLE == null
                ? "native image library " + System.getProperty(LIBRARY) + ": JPEG rows streamed into the resize, the filter in C ("
                        + Lanczos.loopsNative() + " loops)"
                : "no native image library (" + UNAVAILABLE + "): JPEGs decoded whole, the resize all in Java";
    }

    private static String load() {
        String path = System.getProperty(LIBRARY);
        if (path == null || path.isBlank()) {
            return "-D" + LIBRARY + " is not set";
        }
        if (!Files.isRegularFile(Path.of(path))) {
            return path + " is missing; mvn compile builds it where gcc and libjpeg's headers are installed";
        }
        try {
            System.load(Path.of(path).toAbsolutePath().toString());
            return null;
        } catch (UnsatisfiedLinkError e) {
            return path + " could not be loaded: " + e.getMessage();
        }
    }
}
