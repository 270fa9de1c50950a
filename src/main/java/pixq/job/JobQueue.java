package pixq.job;

import java.time.Duration;
import java.util.List;

/**
 * Port: SQS semantics. A received message is leased: invisible to others until its visibility timeout
 * runs out or it is deleted; each receive raises its receive count; past the queue's maximum receives it
 * goes to the dead-letter queue instead of being delivered.
 */
public interface JobQueue {
    /** Receives of a message before it is dead-lettered, when nothing else says (the template's MaxReceives default). */
    int DEFAULT_MAX_RECEIVES = 3;


    void send(List<JobSpec> jobs);

    /** Up to {@code max} messages, waiting briefly when none is visible. */
    List<Delivery> receive(int max);

    /** Done with it: the message is gone for good. */
    void delete(Delivery delivery);

    /** Hands the message back, to be delivered again after {@code delay}. */
    void retryLater(Delivery delivery, Duration delay);

    /**
     * Hands the message back to be delivered again now, as if this receive had not happened: it does not count
     * toward dead-lettering where the queue can undo it (SQS cannot: there it counts, as any receive).
     */
    default void handBackUnreceived(Delivery delivery) {
        retryLater(delivery, Duration.ZERO);
    }

    /**
     * How long a message sent and never received can stay in the queue before the queue drops it (SQS: its
     * retention period): until then a sent message may still be waiting, and is not sent again.
     */
    Duration retention();

    /**
     * Keeps the message hidden for {@code more} from now, while its job still runs: the same call as
     * retryLater (SQS's ChangeMessageVisibility), named for what the caller means.
     */
    default void extendLease(Delivery delivery, Duration more) {
        retryLater(delivery, more);
    }
}
