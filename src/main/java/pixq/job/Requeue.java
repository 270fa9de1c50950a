package pixq.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** python-rq's requeue: what `pixq retry` and the web page's retry buttons both do. */
public final class Requeue {
    private Requeue() {}

    /**
     * Moves each FAILED or CANCELED job back to QUEUED (attempts start again) and sends one message per
     * job moved; a job that another process moved first (a conditional write lost) is left alone.
     *
     * @return the specs requeued
     */
    public static List<JobSpec> jobs(JobStore store, JobQueue queue, Collection<Job> candidates) {
        List<JobSpec> requeued = new ArrayList<>();
        for (Job job : candidates) {
            boolean stopped = job.state() == JobState.FAILED || job.state() == JobState.CANCELED;
            if (stopped && store.update(job, job.requeue())) {
                requeued.add(job.spec());
            }
        }
        queue.send(requeued);
        return requeued;
    }
}
