package pixq.job;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * python-rq's requeue: what `pixq retry` and the web page's retry buttons both do; and the messages a stopped
 * submission or requeue never sent.
 */
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
        Submitter.send(store, queue, requeued, clock);
        return requeued.stream().map(Job::spec).toList();
    }

    /**
     * Sends the QUEUED jobs among {@code queued} that never got a message: a submission or requeue stopped
     * between writing the record and sending left them, and no worker will ever see them otherwise.
     *
     * @return the specs sent
     */
    public static List<JobSpec> unsent(JobStore store, JobQueue queue, Collection<Job> queued, Clock clock) {
        List<Job> unsent = queued.stream()
                .filter(job -> job.state() == JobState.QUEUED && job.attempts() == 0 && job.sentAt() == null).toList();
        Submitter.send(store, queue, unsent, clock);
        return unsent.stream().map(Job::spec).toList();
    }
}
