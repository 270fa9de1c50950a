package pixq.job;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** python-rq's requeue: what `pixq retry` and the web page's retry buttons both do. */
public final class Requeue {
    private Requeue() {}

    /**
     * Moves each FAILED or CANCELED job back to QUEUED (attempts start again), sends one message per job
     * moved, then records when (as {@link Submitter} does: stopped in between, submitting again sends them); a
     * job that another process moved first (a conditional write lost) is left alone.
     *
     * @return the specs requeued
     */
    public static List<JobSpec> jobs(JobStore store, JobQueue queue, Collection<Job> candidates, Clock clock) {
        List<Job> requeued = new ArrayList<>();
        for (Job job : candidates) {
            if (job.state() == JobState.FAILED || job.state() == JobState.CANCELED) {
                Job queued = job.requeue();
                if (store.update(job, queued)) {
                    requeued.add(queued);
                }
            }
        }
        queue.send(requeued.stream().map(Job::spec).toList());
        requeued.forEach(job -> store.update(job, job.sent(clock))); // lost to a worker that started it: nothing to record
        return requeued.stream().map(Job::spec).toList();
    }
}
