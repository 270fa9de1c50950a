package pixq.job;

import java.io.IOException;
import java.io.OutputStream;

/** Port: where batch manifests go (a file next to the local state; an object in the output bucket on AWS). */
public interface ManifestSink {

    /** Where the manifest of this batch goes; {@code outputFolder} is the output folder URI of one of its jobs. */
    String location(String batchId, String outputFolder);

    /**
     * Writes the manifest at {@code location} as {@code content} streams it, replacing an earlier one only once
     * the content is complete: a failed write leaves the earlier manifest (or none), never half of one.
     */
    void write(String location, Content content) throws IOException;

    /** The manifest's file name: BATCH.jsonl, or, for a batch id that cannot be a file name, its digest's. */
    static String fileName(String batchId) {
        boolean plain = batchId.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");
        return (plain ? batchId : "batch-" + JobSpec.digest(batchId).substring(0, 16)) + ".jsonl";
    }

    @FunctionalInterface
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }
}
