package pixq.worker;

import java.time.Duration;
import pixq.image.EngineConfig;
import pixq.job.JobQueue;

/**
 * How a worker runs jobs.
 *
 * @param parallelism jobs run at once
 * @param maxReceives the queue's maximum receives: a retryable failure on the last one fails the job for good
 * @param maxBytes    inputs larger than this are refused before they are read
 * @param lease       how long a RUNNING job belongs to its worker (the queue's visibility timeout) unless the
 *                    worker extends it, as it does every third of it while the job runs
 * @param timeLimit   how long a job may run: its lease is no longer extended after that
 */
public record WorkerConfig(int parallelism, int maxReceives, long maxBytes, Duration lease, Duration timeLimit) {
    /** A decoded 24 MP photo takes about 72 MB; allow for the input, a copy and the encoders. */
    static final long MEMORY_PER_JOB = 256L << 20;

    public WorkerConfig {
        if (parallelism < 1 || maxReceives < 1 || maxBytes < 1 || lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("parallelism, maxReceives, maxBytes and the lease must be positive");
        }
    }

    /** One job per core, fewer when memory (a Lambda function's memory size, else the heap) is short. */
    public static WorkerConfig defaults() {
        String lambdaMb = System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
        long memory = lambdaMb != null ? Long.parseLong(lambdaMb) << 20 : Runtime.getRuntime().maxMemory();
        int parallelism = (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), memory / MEMORY_PER_JOB));
        // 15 minutes: as long as a Lambda function may run.
        return new WorkerConfig(parallelism, JobQueue.DEFAULT_MAX_RECEIVES, EngineConfig.DEFAULT_MAX_BYTES, Duration.ofMinutes(15), Duration.ofMinutes(15));
    }

    public WorkerConfig withParallelism(int n) {
        return new WorkerConfig(n, maxReceives, maxBytes, lease, timeLimit);
    }

    public WorkerConfig withMaxReceives(int n) {
        return new WorkerConfig(parallelism, n, maxBytes, lease, timeLimit);
    }

    public WorkerConfig withMaxBytes(long n) {
        return new WorkerConfig(parallelism, maxReceives, n, lease, timeLimit);
    }

    public WorkerConfig withLease(Duration d) {
        return new WorkerConfig(parallelism, maxReceives, maxBytes, d, timeLimit);
    }

    public WorkerConfig withTimeLimit(Duration d) {
        return new WorkerConfig(parallelism, maxReceives, maxBytes, lease, d);
    }
}
