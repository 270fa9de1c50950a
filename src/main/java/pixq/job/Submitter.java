package pixq.job;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Turns specs into QUEUED status records and job messages: the one way work enters pixq. */
public final class Submitter {
    private final JobStore store;
    private final JobQueue queue;
    private final BlobStore outputs;
    private final Clock clock;

    /** @param outputs where the jobs' outputs are written: a finished job whose outputs are gone runs again */
    public Submitter(JobStore store, JobQueue queue, BlobStore outputs, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.outputs = outputs;
        this.clock = clock;
    }

    /**
     * Records first, then messages, then when they were sent: a crash in between leaves QUEUED records
     * without messages, and submitting again sends those, so a retried submission never loses a job. One job
     * has one live message: a job whose message was sent is not sent again while that message may still wait
     * in the queue (its retention period); a job that started has its message, or is settled by the worker.
     * A job is done when it SUCCEEDED and every output it wrote is still there: one whose outputs are gone is
     * queued again. Jobs that would write the same output as another are refused ({@link OutputClash}).
     */
    public SubmitResult submit(String batchId, List<JobSpec> specs) {
        List<OutputClash> clashes = OutputClash.find(specs);
        Set<String> refused = clashes.stream().map(c -> c.spec().id()).collect(Collectors.toSet());
        Map<String, JobSpec> byId = new LinkedHashMap<>();
        specs.stream().filter(spec -> !refused.contains(spec.id())).forEach(spec -> byId.putIfAbsent(spec.id(), spec));
        List<Job> queued = byId.values().stream().map(spec -> Job.queued(spec, clock)).toList();
        List<Job> inserted = store.insertNew(queued);
        Set<String> insertedIds = inserted.stream().map(Job::id).collect(Collectors.toSet());
        List<Job> toSend = new ArrayList<>(inserted);
        for (Job job : queued) {
            if (!insertedIds.contains(job.id())) {
                needsMessage(job.id()).ifPresent(toSend::add);
            }
        }
        send(store, queue, toSend, clock);
        int considered = (int) specs.stream().filter(spec -> !refused.contains(spec.id())).count();
        return new SubmitResult(batchId, inserted.size(), considered - inserted.size(),
                clashes.stream().map(OutputClash::reason).toList());
    }

    /** The jobs' messages, then when they were sent (a job a worker started meanwhile has nothing to record). */
    static void send(JobStore store, JobQueue queue, List<Job> jobs, Clock clock) {
        queue.send(jobs.stream().map(Job::spec).toList());
        jobs.forEach(job -> store.update(job, job.sent(clock)));
    }

    /**
     * The record to send a message for: still waiting for its first delivery, its message (if one was sent)
     * possibly gone from the queue; or done once but with outputs gone (then requeued here).
     */
    private Optional<Job> needsMessage(String id) {
        Job job = store.find(id).orElse(null);
        if (job == null) {
            return Optional.empty();
        }
        return switch (job.state()) {
            case QUEUED -> job.attempts() == 0 && (job.sentAt() == null
                    || Duration.between(job.sentAt(), clock.instant()).compareTo(queue.retention()) > 0)
                    ? Optional.of(job) : Optional.empty();
            case SUCCEEDED -> {
                Job requeued = job.requeue();
                yield !job.outputs().stream().allMatch(uri -> outputs.stat(uri).isPresent()) && store.update(job, requeued)
                        ? Optional.of(requeued) : Optional.empty();
            }
            case RUNNING, FAILED, CANCELED -> Optional.empty();
        };
    }
}
