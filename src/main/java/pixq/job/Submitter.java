package pixq.job;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Turns specs into QUEUED status records and job messages: the one way work enters pixq. */
public final class Submitter {
    private final JobStore store;
    private final JobQueue queue;
    private final Clock clock;

    public Submitter(JobStore store, JobQueue queue, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.clock = clock;
    }

    /**
     * Records first, then messages, then when they were sent: a crash in between leaves QUEUED records
     * without messages, and submitting again sends those, so a retried submission never loses a job. One job
     * has one live message: a job whose message was sent is not sent again while that message may still wait
     * in the queue (its retention period); a job that started has its message, or is settled by the worker.
     */
    public SubmitResult submit(String batchId, List<JobSpec> specs) {
        Map<String, JobSpec> byId = new LinkedHashMap<>();
        specs.forEach(spec -> byId.putIfAbsent(spec.id(), spec));
        List<Job> queued = byId.values().stream().map(spec -> Job.queued(spec, clock)).toList();
        List<Job> inserted = store.insertNew(queued);
        Set<String> insertedIds = inserted.stream().map(Job::id).collect(Collectors.toSet());
        List<Job> toSend = new ArrayList<>(inserted);
        for (Job job : queued) {
            if (!insertedIds.contains(job.id())) {
                store.find(job.id()).filter(this::unsent).ifPresent(toSend::add);
            }
        }
        queue.send(toSend.stream().map(Job::spec).toList());
        toSend.forEach(job -> store.update(job, job.sent(clock))); // lost to a worker that started it: nothing to record
        return new SubmitResult(batchId, inserted.size(), specs.size() - inserted.size(), List.of());
    }

    /** Queued and never started, and its message (if one was sent) may be gone from the queue. */
    private boolean unsent(Job job) {
        return job.state() == JobState.QUEUED && job.attempts() == 0
                && (job.sentAt() == null || Duration.between(job.sentAt(), clock.instant()).compareTo(queue.retention()) > 0);
    }
}
