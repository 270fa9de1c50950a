package pixq.worker;

/**
 * One batch item's result: a value, never an exception. jobId is null when the message was unreadable;
 * {@code replaced} counts the outputs that replaced blobs of their names.
 */
public record ItemResult(
        String messageId, String jobId, Outcome outcome, String detail, long bytesIn, long bytesOut, int replaced, long millis) {

    static ItemResult of(String messageId, String jobId, Outcome outcome, String detail) {
        return new ItemResult(messageId, jobId, outcome, detail, 0, 0, 0, 0);
    }

    ItemResult withDetail(String said) {
        return new ItemResult(messageId, jobId, outcome, said, bytesIn, bytesOut, replaced, millis);
    }
}
