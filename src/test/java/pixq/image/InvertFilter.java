package pixq.image;

import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/** A test plugin, registered in src/test/resources/META-INF/services: inverts colours; fails when args say "fail". */
public final class InvertFilter implements ImageFilter {
    @Override
    public String name() {
        return "invert";
    }

    @Override
    public Mat apply(Mat image, Map<String, String> params, List<String> args) {
        if (args.contains("fail")) {
            throw new ImageException("invert was asked to fail by the job's args");
        }
        Mat out = new Mat();
        opencv_core.bitwise_not(image, out);
        if ("keep-left".equals(params.get("mode"))) {
            image.colRange(0, image.cols() / 2).copyTo(out.colRange(0, image.cols() / 2));
        }
        return out;
    }
}
