package pixq.job;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What happens when a batch's last job finishes (succeeded, failed or canceled): its manifest is written and
 * the completion announced, once per completion however many workers see the batch finish, and again when a
 * retry or redrive finishes it anew. Workers, the dead-letter handling and cancel call {@link #jobFinished}
 * after they end a job; the adapters provide where manifests go, who claims a completion, and who hears of it.
 */
public final class BatchCompletion {
    /** Who hears that a batch finished: EventBridge on AWS; the log and --on-batch-done locally. */
    @FunctionalInterface
    public interface Listener {
        void finished(BatchFinished event);
    }

    private final JobStore store;
    private final BlobStore blobs;
    private final CompletionClaims claims;
    private final ManifestSink manifests;
    private final Listener listener;

    /** @param blobs where the jobs' outputs are, to tell their sizes */
    public BatchCompletion(JobStore store, BlobStore blobs, CompletionClaims claims, ManifestSink manifests, Listener listener) {
        this.store = store;
        this.blobs = blobs;
        this.claims = claims;
        this.manifests = manifests;
        this.listener = listener;
    }

    /**
     * A job of the batch just finished: when it was the batch's last and no one has claimed this completion
     * yet, writes the manifest and tells the listener. Empty when there was nothing to do.
     *
     * @throws StoreException when the manifest could not be written (the claim is given back)
     */
    public Optional<BatchFinished> jobFinished(String batchId) {
        BatchCounts counts = store.counts(batchId);
        if (counts.total() == 0 || counts.finished() < counts.total() || counts.lastFinished() == null) {
            return Optional.empty();
        }
        long completion = counts.lastFinished().toEpochMilli();
        if (!claims.claim(batchId, completion)) {
            return Optional.empty();
        }
        BatchFinished event;
        try {
            event = writeManifest(counts, completion);
        } catch (IOException | RuntimeException e) {
            claims.release(batchId, completion);
            throw new StoreException("batch " + batchId + " finished, but its manifest could not be written: " + Reason.of(e), e);
        }
        listener.finished(event);
        return Optional.of(event);
    }

    private BatchFinished writeManifest(BatchCounts counts, long completion) throws IOException {
        List<Job> first = store.listAfter(counts.batchId(), null, null, Manifest.PAGE);
        if (first.isEmpty()) {
            throw new StoreException("batch " + counts.batchId() + " is counted but lists no job", null);
        }
        String location = manifests.location(counts.batchId(), first.get(0).spec().output());
        BatchFinished event = new BatchFinished(counts, completion, location, counts.firstStarted(), counts.lastFinished());
        manifests.write(location, out -> Manifest.write(store, blobs, event, first, out));
        return event;
    }
}
