package pixq.image;

import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Bounds the memory that decodes running at once hold beyond their images. A progressive JPEG keeps all its DCT
 * coefficients until its last scan (about 50 MB for a 13 MP photo, whatever the DCT scale), so two workers
 * decoding two of them at once nearly doubled the peak; a decode that would pass the bound waits, in order of
 * arrival, for another to end. One larger than the whole bound runs alone. It bounds the peak where the workers
 * share one heap (tcmalloc, as ./pixq and the worker image run pixq: 440 photos at fit 1024, 301-311 -> 268-284 MB
 * for 5 % longer runs); under glibc's malloc each worker's arena keeps its largest decode anyway (bench/RESULTS.md).
 */
final class DecodeBudget {
    private static final long MB = 1024 * 1024;
    private final Semaphore megabytes;
    private final int total;

    DecodeBudget(long bytes) {
        this.total = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / MB));
        this.megabytes = new Semaphore(total, true);
    }

    <T> T within(long bytes, Supplier<T> decode) {
        int need = (int) Math.min(total, (bytes + MB - 1) / MB);
        if (need == 0) {
            return decode.get();
        }
        try {
            megabytes.acquire(need);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException.Unavailable("stopped while waiting for memory to decode the image", e);
        }
        try {
            return decode.get();
        } finally {
            megabytes.release(need);
        }
    }
}
