package pixq.job;

import java.util.List;

/** What a submission did: jobs newly queued, jobs already known (submitting twice is harmless), inputs refused. */
public record SubmitResult(String batchId, int jobs, int duplicates, List<String> rejected) {
    public SubmitResult {
        rejected = List.copyOf(rejected);
    }
}
