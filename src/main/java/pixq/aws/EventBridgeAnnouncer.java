package pixq.aws;

import pixq.job.BatchCompletion;
import pixq.job.BatchFinished;
import pixq.job.StoreException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * A batch's completion as one event on EventBridge's default bus: source {@value BatchFinished#SOURCE},
 * detail-type {@value BatchFinished#DETAIL_TYPE}, the detail {@link BatchFinished#detail()}. Rules on that bus
 * start what comes next (an e-mail through the template's NotifyEmail, a Step Functions run, a Lambda).
 */
public final class EventBridgeAnnouncer implements BatchCompletion.Listener {
    private final EventBridgeClient events;

    public EventBridgeAnnouncer(EventBridgeClient events) {
        this.events = events;
    }

    @Override
    public void finished(BatchFinished event) {
        PutEventsResponse response;
        try {
            response = events.putEvents(b -> b.entries(e -> e.source(BatchFinished.SOURCE).detailType(BatchFinished.DETAIL_TYPE)
                    .detail(event.detail().toString())));
        } catch (SdkException e) {
            throw new StoreException("batch " + event.batchId() + " finished, but its event could not be put on EventBridge: " + e.getMessage(), e);
        }
        if (response.failedEntryCount() != null && response.failedEntryCount() > 0) {
            throw new StoreException("batch " + event.batchId() + " finished, but EventBridge refused its event: "
                    + response.entries().get(0).errorCode() + " " + response.entries().get(0).errorMessage(), null);
        }
    }
}
