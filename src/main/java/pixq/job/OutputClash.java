package pixq.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two jobs that would write the same output, such as {@code photo.jpg} and {@code photo.png} of one folder
 * (both {@code photo-thumb.jpg}). No two jobs may write one output: both are refused before any work,
 * whatever their order, so that neither silently replaces the other's output.
 *
 * @param spec   a refused job
 * @param other  the job it clashes with
 * @param output the output both would write
 */
public record OutputClash(JobSpec spec, JobSpec other, String output) {

    /** One clash per refused job, in the order of the specs; specs with one id are one job, not a clash. */
    public static List<OutputClash> find(Collection<JobSpec> specs) {
        Map<String, JobSpec> writers = new HashMap<>();
        Map<String, OutputClash> refused = new LinkedHashMap<>();
        for (JobSpec spec : specs) {
            for (String output : outputsOf(spec)) {
                JobSpec other = writers.putIfAbsent(output, spec);
                if (other != null && !other.id().equals(spec.id())) {
                    refused.putIfAbsent(other.id(), new OutputClash(other, spec, output));
                    refused.putIfAbsent(spec.id(), new OutputClash(spec, other, output));
                }
            }
        }
        return new ArrayList<>(refused.values());
    }

    /** A job whose input names no file writes nothing: the worker fails it with the reason. */
    private static List<String> outputsOf(JobSpec spec) {
        try {
            return spec.outputUris();
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /** For a submission's "rejected" list: the input, then why. */
    public String reason() {
        return spec.input() + " (refused: it and " + other.input() + " would both write " + output
                + "; rename one, or submit them to different output folders)";
    }
}
