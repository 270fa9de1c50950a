package pixq.worker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import pixq.image.ImageEngine;
import pixq.image.Rendition;
import pixq.job.BlobStore;
import pixq.job.JobSpec;

/** Runs one job: fetch the input, render the recipe, write every output under the job's output folder. */
final class JobRunner {
    private final BlobStore blobs;
    private final ImageEngine engine;
    private final long maxBytes;

    JobRunner(BlobStore blobs, ImageEngine engine, long maxBytes) {
        this.blobs = blobs;
        this.engine = engine;
        this.maxBytes = maxBytes;
    }

    /**
     * What a job's commands are told of it: their INPUT is a scratch copy, so its own name, the job's id and its
     * batch's (an rq job got its key as an argument).
     */
    private static Map<String, String> commandEnv(JobSpec spec) {
        Map<String, String> env = new LinkedHashMap<>();
        if (spec.input() != null) {
            env.put("PIXQ_INPUT", spec.input());
        }
        env.put("PIXQ_JOB_ID", spec.id());
        env.put("PIXQ_BATCH_ID", spec.batchId());
        return env;
    }

    /** @param replaced how many outputs replaced blobs of their names (earlier outputs of the same input) */
    record Done(List<String> outputs, long bytesIn, long bytesOut, int replaced) {}

    Done run(JobSpec spec) {
        byte[] input = spec.input() == null ? null : blobs.read(spec.input(), maxBytes);
        List<Rendition> renditions = engine.render(input, spec.recipe(), spec.args(), commandEnv(spec));
        List<String> outputs = new ArrayList<>();
        long bytesOut = 0;
        int replaced = 0;
        for (Rendition rendition : renditions) {
            String uri = spec.outputUri(rendition.suffix());
            if (blobs.write(uri, rendition.bytes(), rendition.contentType(), spec.input())) {
                replaced++;
            }
            outputs.add(uri);
            bytesOut += rendition.bytes().length;
        }
        return new Done(outputs, input == null ? 0 : input.length, bytesOut, replaced);
    }
}
