package pixq.worker;

import java.time.Duration;
import pixq.image.EngineConfig;

/**
 * How a worker runs jobs.
 *
 * @param parallelism jobs run at once
 * @param maxReceives the queue's maximum receives: a retryable failure on the last one fails the job for good
 * @param maxBytes    inputs larger than this are refused before they are read
 * @param lease       how long a RUNNING job belongs to its worker (the queue's visibility timeout): after it,
 *                    another worker may take the job over
 */
public record WorkerConfig(int parallelism, int maxReceives, long maxBytes, Duration lease) {
    /** A decoded 24 MP photo takes about 72 MB; allow for the input, a copy and the encoders. */
    static final long MEMORY_PER_JOB = 256L << 20;

    public WorkerConfig {
        if (parallelism < 1 || maxReceives < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("parallelism, maxReceives and maxBytes must be positive");
        }
    }

    /** One job per core, fewer when memory (a Lambda function's memory size, else the heap) is short. */
    public static WorkerConfig defaults() {
        String lambdaMb = System.getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
        long memory = lambdaMb != null ? Long.parseLong(lambdaMb) << 20 : Runtime.getRuntime().maxMemory();
        int parallelism = (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), memory / MEMORY_PER_JOB));
        return new WorkerConfig(parallelism, 3, EngineConfig.DEFAULT_MAX_BYTES, Duration.ofMinutes(15));
    }

    public WorkerConfig withParallelism(int n) {
        return new WorkerConfig(n, maxReceives, maxBytes, lease);
    }

    public WorkerConfig withMaxReceives(int n) {
        return new WorkerConfig(parallelism, n, maxBytes, lease);
    }

    public WorkerConfig withMaxBytes(long n) {
        return new WorkerConfig(parallelism, maxReceives, n, lease);
    }

    public WorkerConfig withLease(Duration d) {
        return new WorkerConfig(parallelism, maxReceives, maxBytes, d);
    }
}
