package pixq.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import pixq.image.ImageEngine;
import pixq.job.BlobStore;
import pixq.recipe.Operation.Orient;
import pixq.recipe.Operation.Resize;
import pixq.recipe.Output;
import pixq.recipe.Recipe;

/**
 * Small JPEG previews of inputs and outputs for the web pages, made with pixq's own engine from bytes read
 * through the blob store (so S3 works as well as folders), kept in memory up to a byte budget.
 */
final class Thumbnails {
    static final int BOX = 320;
    private static final Recipe PREVIEW = new Recipe("preview", List.of(new Orient(), Resize.inside(BOX, BOX)),
            List.of(new Output("", "jpeg", 80, List.of())));
    private static final long BUDGET = 64L * 1024 * 1024;

    private final BlobStore blobs;
    private final Supplier<ImageEngine> engine;
    private final long maxBytes;
    // Decoding a 24 MP photo takes a core and ~100 MB: no more at once than there are cores.
    private final Semaphore rendering = new Semaphore(Runtime.getRuntime().availableProcessors());
    private final LinkedHashMap<String, byte[]> cache = new LinkedHashMap<>(256, 0.75f, true);
    private long cached;

    Thumbnails(BlobStore blobs, Supplier<ImageEngine> engine, long maxBytes) {
        this.blobs = blobs;
        this.engine = engine;
        this.maxBytes = maxBytes;
    }

    /**
     * The preview of one blob.
     *
     * @param version changes whenever the blob may have been rewritten (a job's finish time), so a stale
     *                preview is never shown
     * @throws pixq.image.ImageException when the blob is no image the engine can read
     */
    byte[] of(String uri, String version) throws InterruptedException {
        String key = uri + "\n" + version;
        synchronized (this) {
            byte[] hit = cache.get(key);
            if (hit != null) {
                return hit;
            }
        }
        byte[] preview;
        rendering.acquire();
        try {
            preview = engine.get().render(blobs.read(uri, maxBytes), PREVIEW, List.of()).get(0).bytes();
        } finally {
            rendering.release();
        }
        remember(key, preview);
        return preview;
    }

    private synchronized void remember(String key, byte[] preview) {
        byte[] previous = cache.put(key, preview);
        cached += preview.length - (previous == null ? 0 : previous.length);
        var eldest = cache.entrySet().iterator();
        while (cached > BUDGET && eldest.hasNext()) {
            Map.Entry<String, byte[]> e = eldest.next();
            cached -= e.getValue().length;
            eldest.remove();
        }
    }
}
