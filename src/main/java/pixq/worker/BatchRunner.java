package pixq.worker;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import pixq.image.ImageEngine;
import pixq.image.ImageException;
import pixq.job.BatchCompletion;
import pixq.job.BlobException;
import pixq.job.BlobStore;
import pixq.job.DaemonThreads;
import pixq.job.DeadLetters;
import pixq.job.Delivery;
import pixq.job.Job;
import pixq.job.JobSpec;
import pixq.job.JobState;
import pixq.job.JobStore;
import pixq.job.Reason;

/**
 * Runs a batch of job messages concurrently and returns one result per message. A bad item is a value
 * in the results, never an exception: the Lambda worker and the local runner are thin shells over this.
 */
public final class BatchRunner implements AutoCloseable {
    private final JobStore store;
    private final BatchCompletion completion;
    private final JobRunner runner;
    private final WorkerConfig config;
    private final Clock clock;
    private final ExecutorService pool;
    private final ScheduledExecutorService timer;

    public BatchRunner(JobStore store, BlobStore blobs, ImageEngine engine, WorkerConfig config, Clock clock) {
        this(store, blobs, engine, config, clock, null);
    }

    /** @param completion what to do when a job this runner ends was its batch's last (null: nothing) */
    public BatchRunner(JobStore store, BlobStore blobs, ImageEngine engine, WorkerConfig config, Clock clock, BatchCompletion completion) {
        this.store = store;
        this.completion = completion;
        this.runner = new JobRunner(blobs, engine, config.maxBytes());
        this.config = config;
        this.clock = clock;
        this.pool = Executors.newFixedThreadPool(config.parallelism(), DaemonThreads.named("pixq-worker"));
        this.timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("pixq-worker"));
    }

    WorkerConfig config() {
        return config;
    }

    /** Runs every message; stops starting new ones once {@code mayStartMore} says no (they come back NOT_STARTED). */
    public List<ItemResult> run(List<Delivery> batch, BooleanSupplier mayStartMore) {
        List<Future<ItemResult>> futures = new ArrayList<>();
        for (Delivery delivery : batch) {
            futures.add(pool.submit(() -> mayStartMore.getAsBoolean()
                    ? runOne(delivery)
                    : ItemResult.of(delivery.messageId(), null, Outcome.NOT_STARTED, "time ran short")));
        }
        List<ItemResult> results = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            results.add(await(futures.get(i), batch.get(i)));
        }
        return results;
    }

    ItemResult runOne(Delivery delivery) {
        JobSpec spec;
        try {
            spec = JobSpec.fromJson(delivery.body());
        } catch (IllegalArgumentException e) {
            return ItemResult.of(delivery.messageId(), null, Outcome.FAILED, e.getMessage());
        }
        try {
            Job current = store.find(spec.id()).orElseGet(() -> adopt(spec));
            Optional<Job> started = start(current);
            if (started.isEmpty()) {
                return ItemResult.of(delivery.messageId(), spec.id(), skipOrRetry(current), "job is " + current.state());
            }
            return completed(spec.batchId(), execute(delivery, started.get()));
        } catch (RuntimeException e) {
            // The store itself failed before the job ran: nothing was recorded, deliver it again.
            return ItemResult.of(delivery.messageId(), spec.id(), Outcome.RETRY, Reason.of(e));
        }
    }

    /**
     * The run ended its job: if that was its batch's last, the batch's manifest is written and its end announced.
     * A manifest that could not be written is said in the result's detail; the job's own end stands.
     */
    private ItemResult completed(String batchId, ItemResult result) {
        if (completion == null || !result.outcome().finishesJob()) {
            return result;
        }
        try {
            completion.jobFinished(batchId);
            return result;
        } catch (RuntimeException e) {
            String said = (result.detail() == null ? "" : result.detail() + "; ") + Reason.of(e);
            return result.withDetail(said);
        }
    }

    /** A message whose record is missing (sent around the submitter): record it so its status can be seen. */
    private Job adopt(JobSpec spec) {
        Job queued = Job.queued(spec, clock);
        store.insertNew(List.of(queued));
        return store.find(spec.id()).orElse(queued);
    }

    /**
     * Takes the job: QUEUED, or RUNNING past the lease end its record holds (its worker died). The write is
     * conditional on that very record, lease end included, so a worker that extended its lease meanwhile wins.
     */
    private Optional<Job> start(Job current) {
        if (current.state() != JobState.QUEUED && !current.leaseExpired(clock)) {
            return Optional.empty();
        }
        Job running = current.start(clock, config.lease());
        return store.update(current, running) ? Optional.of(running) : Optional.empty();
    }

    private static Outcome skipOrRetry(Job current) {
        // RUNNING within its lease: another worker has it now; hand the message back rather than run it twice.
        return current.state().isFinished() ? Outcome.SKIPPED : Outcome.RETRY;
    }

    private ItemResult execute(Delivery delivery, Job started) {
        long start = clock.millis();
        Lease lease = new Lease(started);
        ScheduledFuture<?> keeping = timer.scheduleWithFixedDelay(lease::extend, lease.every(), lease.every(), TimeUnit.MILLISECONDS);
        try {
            JobRunner.Done done = runner.run(started.spec());
            Job running = lease.end();
            if (!store.update(running, running.succeed(done.outputs(), done.replaced(), clock))) {
                keepOutputsIfCanceled(running.id(), done.outputs());
            }
            return new ItemResult(delivery.messageId(), running.id(), Outcome.SUCCEEDED, null,
                    done.bytesIn(), done.bytesOut(), done.replaced(), clock.millis() - start);
        } catch (ImageException | IllegalArgumentException e) {
            return fail(delivery, lease.end(), Outcome.FAILED, Reason.of(e));
        } catch (ImageException.Unavailable e) {
            return retry(delivery, lease.end(), Reason.of(e));
        } catch (BlobException.NoSpace e) {
            return stopped(delivery, lease.end(), Reason.of(e));
        } catch (BlobException e) {
            return e.retryable() ? retry(delivery, lease.end(), Reason.of(e)) : fail(delivery, lease.end(), Outcome.FAILED, Reason.of(e));
        } catch (OutOfMemoryError e) {
            // The job's references are gone once we are here: the heap is free again for the next job.
            return fail(delivery, lease.end(), Outcome.FAILED, Reason.of(ImageException.outOfMemory(e)));
        } catch (RuntimeException e) {
            return retry(delivery, lease.end(), Reason.of(e));
        } finally {
            keeping.cancel(false);
        }
    }

    /**
     * A running job's hold on its record: pushed on every third of the lease while the job runs, within
     * the worker's time limit, so a long job is never taken over by another worker. Each extension is a
     * conditional write on the record as last written; once one is refused (canceled, or taken over after
     * this worker stalled), the lease is left to run out.
     */
    private final class Lease {
        private Job current;
        private boolean ended;
        private final long deadline;

        Lease(Job started) {
            this.current = started;
            this.deadline = clock.millis() + config.timeLimit().toMillis();
        }

        long every() {
            return Math.max(1, config.lease().toMillis() / 3);
        }

        synchronized void extend() {
            if (ended || clock.millis() > deadline) {
                return;
            }
            try {
                Job extended = current.extendLease(clock, config.lease());
                if (store.update(current, extended)) {
                    current = extended;
                } else {
                    ended = true;
                }
            } catch (RuntimeException e) {
                // the store failed this once: the next extension tries again, well before the lease runs out
            }
        }

        /** Stops extending; the record as last written, for the final conditional write. */
        synchronized Job end() {
            ended = true;
            return current;
        }
    }

    /** Canceled while it ran: the outputs exist all the same, so its record says where. */
    private void keepOutputsIfCanceled(String jobId, List<String> outputs) {
        store.find(jobId).filter(job -> job.state() == JobState.CANCELED)
                .ifPresent(canceled -> store.update(canceled, canceled.keepOutputs(outputs)));
    }

    private ItemResult retry(Delivery delivery, Job running, String reason) {
        if (delivery.receiveCount() >= config.maxReceives()) {
            String last = "gave up after " + delivery.receiveCount() + " attempts (" + DeadLetters.MARK + "): " + reason;
            return fail(delivery, running, Outcome.DEAD_LETTERED, last);
        }
        settle(running, running.retryLater(reason));
        return ItemResult.of(delivery.messageId(), running.id(), Outcome.RETRY, reason);
    }

    /**
     * Not this job's fault, and no retry helps until space is freed: the job is queued again and the worker
     * stops. A worker that stops hands the message back uncounted (the local run), so this job never gives up
     * there; where receives do count (a function under pixq serve, which cannot stop), it gives up on its
     * last receive as for any other retry, rather than be dead-lettered with its record still QUEUED.
     */
    private ItemResult stopped(Delivery delivery, Job running, String reason) {
        if (delivery.receiveCount() >= config.maxReceives()) {
            return retry(delivery, running, reason);
        }
        settle(running, running.retryLater(reason));
        return ItemResult.of(delivery.messageId(), running.id(), Outcome.STOPPED, reason);
    }

    private ItemResult fail(Delivery delivery, Job running, Outcome outcome, String reason) {
        settle(running, running.fail(reason, clock));
        return ItemResult.of(delivery.messageId(), running.id(), outcome, reason);
    }

    /** A lost conditional write means a cancel got there first: the job's record already says what counts. */
    private void settle(Job running, Job next) {
        store.update(running, next);
    }

    private ItemResult await(Future<ItemResult> future, Delivery delivery) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            return ItemResult.of(delivery.messageId(), null, Outcome.RETRY, Reason.of(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ItemResult.of(delivery.messageId(), null, Outcome.NOT_STARTED, "interrupted");
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        timer.shutdownNow();
    }
}
