package pixq.image;

import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A user's own image step, run by the recipe operation {@code {"op":"custom","name":"NAME","params":{..}}}
 * (string form {@code custom NAME key=value}).
 *
 * <p>To add one: implement this interface in a class with a public no-argument constructor, list the class's
 * full name in {@code META-INF/services/pixq.image.ImageFilter} of your jar, and put the jar on pixq's class
 * path. The engine finds filters once, at start, with {@link java.util.ServiceLoader}; two with the same name
 * are refused.
 *
 * <p>The image is an 8-bit OpenCV {@link Mat} with 1 (gray), 3 (BGR) or 4 (BGRA) channels. Return the result:
 * the same Mat changed in place, or a new 8-bit Mat with 1, 3 or 4 channels (the engine then releases the input).
 * Do not keep references to either after returning. Throw {@link ImageException} with a readable sentence to
 * fail the job: it becomes the job's last error. Filters are shared between threads, so keep them stateless.
 */
public interface ImageFilter {

    /** The name recipes use, such as "sepia". */
    String name();

    /**
     * @param params the recipe step's parameters
     * @param args   the job's free-form args
     */
    Mat apply(Mat image, Map<String, String> params, List<String> args);
}
