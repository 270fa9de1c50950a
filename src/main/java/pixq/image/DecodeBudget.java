package pixq.image;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Bounds the memory that decodes running at once hold beyond their images. A progressive JPEG keeps all its DCT
 * coefficients until its last scan (about 50 MB for a 13 MP photo, whatever the DCT scale), so two workers
 * decoding two of them at once nearly doubled the peak; a decode that would pass the bound waits, in order of
 * arrival, for another to end (a JPEG streamed to the filter, {@link JpegRows}, until its stream is closed). One
 * larger than the whole bound runs alone. It bounds the peak where the workers share one heap (tcmalloc, as
 * ./pixq and the worker image run pixq: 440 photos at fit 1024, 301-311 -> 268-284 MB for 5 % longer runs); under
 * glibc's malloc each worker's arena keeps its largest decode anyway (bench/RESULTS.md).
 */
final class DecodeBudget {
    private static final long MB = 1024 * 1024;
    private final Semaphore megabytes;
    private final int total;

    DecodeBudget(long bytes) {
        this.total = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / MB));
        this.megabytes = new Semaphore(total, true);
    }

    /** Memory held from {@link #lease} until closed (once; closing again does nothing). */
    interface Lease extends AutoCloseable {
        @Override
        void close();
    }

    <T> T within(long bytes, Supplier<T> decode) {
        try (Lease held = lease(bytes)) {
            return decode.get();
        }
    }

    /** Waits until {@code bytes} fit (one larger than the whole bound waits for all), then holds them. */
    Lease lease(long bytes) {
        int need = (int) Math.min(total, (bytes + MB - 1) / MB);
        if (need == 0) {
            return () -> { };
        }
        try {
            megabytes.acquire(need);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException.Unavailable("stopped while waiting for memory to decode the image", e);
        }
        AtomicBoolean held = new AtomicBoolean(true);
        return () -> {
            if (held.getAndSet(false)) {
                megabytes.release(need);
            }
        };
    }
}
