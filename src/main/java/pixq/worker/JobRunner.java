package pixq.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import pixq.image.ImageEngine;
import pixq.image.ImageException;
import pixq.image.Rendition;
import pixq.job.BlobStore;
import pixq.job.JobSpec;

/** Runs one job: fetch the input, render the recipe, write every output under the job's output folder. */
final class JobRunner {
    /** A file name, never a path: output names can never leave the output folder. */
    private static final Pattern SAFE_NAME = Pattern.compile("[\\p{L}\\p{N}_][\\p{L}\\p{N} ._+=@,()-]{0,250}");

    private final BlobStore blobs;
    private final ImageEngine engine;
    private final long maxBytes;

    JobRunner(BlobStore blobs, ImageEngine engine, long maxBytes) {
        this.blobs = blobs;
        this.engine = engine;
        this.maxBytes = maxBytes;
    }

    record Done(List<String> outputs, long bytesIn, long bytesOut) {}

    Done run(JobSpec spec) {
        byte[] input = spec.input() == null ? null : blobs.read(spec.input(), maxBytes);
        List<Rendition> renditions = engine.render(input, spec.recipe(), spec.args());
        List<String> outputs = new ArrayList<>();
        long bytesOut = 0;
        for (Rendition rendition : renditions) {
            String uri = outputUri(spec, rendition.suffix());
            blobs.write(uri, rendition.bytes(), rendition.contentType());
            outputs.add(uri);
            bytesOut += rendition.bytes().length;
        }
        return new Done(outputs, input == null ? 0 : input.length, bytesOut);
    }

    static String outputUri(JobSpec spec, String suffix) {
        String name = stem(spec) + suffix;
        if (!SAFE_NAME.matcher(name).matches() || name.contains("..")) {
            throw new ImageException("refusing output name \"" + name + "\": it must be a plain file name");
        }
        String folder = spec.output();
        return folder.endsWith("/") ? folder + name : folder + "/" + name;
    }

    /** The input's file name without its extension; args-only jobs are named after the job. */
    static String stem(JobSpec spec) {
        if (spec.input() == null) {
            return spec.id();
        }
        String name = spec.input().substring(spec.input().lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
