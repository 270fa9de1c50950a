package pixq.serve;

/**
 * What {@code pixq serve} serves: the template read with its parameters, where to listen, how many instances
 * of each function at once, whether handlers run in this JVM, the backend, the queue the input bucket
 * notifies (an emulator's; null: no S3 trigger there), and the pages mounted beside Lambda's API.
 */
public record EmulatorConfig(Template template, String host, int port, int instances, boolean inProcess, Backend backend,
        String uploadsQueueUrl, Pages pages) {}
