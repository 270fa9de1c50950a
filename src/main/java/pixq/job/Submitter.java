package pixq.job;

import java.time.Clock;
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
     * Records first, then messages: a crash in between leaves QUEUED records without messages, and
     * submitting again sends those (a message for a job that is already running or done is skipped by the
     * worker), so a retried submission never loses a job. A job is done when it SUCCEEDED and every output
     * it wrote is still there: one whose outputs are gone is queued again. Jobs that would write the same
     * output as another are refused ({@link OutputClash}).
     */
    public SubmitResult submit(String batchId, List<JobSpec> specs) {
        List<OutputClash> clashes = OutputClash.find(specs);
        Set<String> refused = clashes.stream().map(c -> c.spec().id()).collect(Collectors.toSet());
        Map<String, JobSpec> byId = new LinkedHashMap<>();
        specs.stream().filter(spec -> !refused.contains(spec.id())).forEach(spec -> byId.putIfAbsent(spec.id(), spec));
        List<Job> queued = byId.values().stream().map(spec -> Job.queued(spec, clock)).toList();
        Set<String> inserted = store.insertNew(queued).stream().map(Job::id).collect(Collectors.toSet());
        List<JobSpec> toSend = new ArrayList<>();
        for (JobSpec spec : byId.values()) {
            if (inserted.contains(spec.id()) || needsMessage(spec.id())) {
                toSend.add(spec);
            }
        }
        queue.send(toSend);
        int considered = (int) specs.stream().filter(spec -> !refused.contains(spec.id())).count();
        return new SubmitResult(batchId, inserted.size(), considered - inserted.size(),
                clashes.stream().map(OutputClash::reason).toList());
    }

    /** Still waiting for its first delivery, or done once but with outputs gone (then requeued here). */
    private boolean needsMessage(String id) {
        Job job = store.find(id).orElse(null);
        if (job == null) {
            return false;
        }
        return switch (job.state()) {
            case QUEUED -> job.attempts() == 0;
            case SUCCEEDED -> !job.outputs().stream().allMatch(outputs::exists) && store.update(job, job.requeue());
            case RUNNING, FAILED, CANCELED -> false;
        };
    }
}
