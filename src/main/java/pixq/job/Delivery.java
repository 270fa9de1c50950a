package pixq.job;

/** One received message: its raw body (which may be malformed), the handle to settle it, how often it was received. */
public record Delivery(String messageId, String body, String receipt, int receiveCount) {}
