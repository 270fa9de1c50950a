package pixq.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import pixq.job.DaemonThreads;

/** Runs blocking SDK calls side by side: round trips, not CPU, bound a submission's writes. */
final class Parallel {
    private static final ExecutorService POOL = Executors.newFixedThreadPool(16, DaemonThreads.named("pixq-aws-io"));

    private Parallel() {}

    /** fn over every item, results in the items' order; the first failure is rethrown as it was. */
    static <T, R> List<R> map(List<T> items, Function<T, R> fn) {
        if (items.size() <= 1) {
            return items.stream().map(fn).toList();
        }
        List<Future<R>> futures = new ArrayList<>(items.size());
        for (T item : items) {
            futures.add(POOL.submit(() -> fn.apply(item)));
        }
        List<R> results = new ArrayList<>(items.size());
        try {
            for (Future<R> f : futures) {
                results.add(f.get());
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
        return results;
    }
}
