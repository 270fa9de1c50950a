package pixq.serve;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.time.Clock;
import pixq.aws.FunctionPorts;
import pixq.job.BatchCompletion;
import pixq.local.BatchDoneCommand;
import pixq.local.BucketFolders;
import pixq.local.LocalState;

/**
 * The functions' ports under serve's embedded backend, which sets PIXQ_STATE and PIXQ_BUCKETS: the state
 * folder's records and queue, and buckets as folders ({@code PIXQ_BUCKETS/bucket/key}). Registered in
 * META-INF/services, so the handlers in pixq.aws run on it without knowing it.
 */
public final class EmbeddedPorts implements FunctionPorts.Provider {
    static final String STATE = "PIXQ_STATE";
    static final String BUCKETS = "PIXQ_BUCKETS";
    /** serve's --on-batch-done: the command each batch's completion event goes to. */
    static final String ON_BATCH_DONE = "PIXQ_ON_BATCH_DONE";

    @Override
    public Optional<FunctionPorts> open(Function<String, String> env) {
        String state = env.apply(STATE);
        if (state == null || state.isBlank()) {
            return Optional.empty();
        }
        String buckets = env.apply(BUCKETS);
        if (buckets == null || buckets.isBlank()) {
            throw new IllegalStateException("environment variable " + BUCKETS + " is not set (pixq serve sets it with " + STATE + ")");
        }
        // Open for the life of the function's process, as the AWS clients are.
        LocalState local = LocalState.open(Path.of(state));
        BucketFolders blobs = new BucketFolders(Path.of(buckets));
        // Dead letters the dead-letter function ended are kept with the embedded queue's own, where pixq redrive finds them.
        return Optional.of(new FunctionPorts(local.jobs(), local::queue, blobs, () -> completion(local, blobs, env.apply(ON_BATCH_DONE)),
                () -> local.queue()::archiveDeadLetter));
    }

    /**
     * What ends a batch on the embedded backend: manifests next to the state, as pixq run writes them; the event
     * in the log and to {@code onBatchDone} (null: none).
     */
    static BatchCompletion completion(LocalState local, BucketFolders blobs, String onBatchDone) {
        return new BatchCompletion(local.jobs(), blobs, local.completionClaims(), local.manifests(),
                new BatchDoneCommand(onBatchDone, BatchDoneCommand.LIMIT, System.out, true, Clock.systemUTC()));
    }
}
