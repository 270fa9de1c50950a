package pixq.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.Context;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.aws.AwsConnection;
import pixq.job.Delivery;
import pixq.job.JobBuilders;
import pixq.local.LocalState;

/** The event source mapping settles a batch as Lambda's poller does, on the embedded queue. */
class QueueMappingTest {
    private static final AtomicInteger CALLS = new AtomicInteger();

    /** A handler that reports the batch's second message as failed, or fails the whole invocation. */
    public static final class Reporter {
        private final boolean throwing;

        public Reporter(Function<String, String> env, AwsConnection aws) {
            this.throwing = "yes".equals(env.apply("THROW"));
        }

        public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
            CALLS.incrementAndGet();
            if (throwing) {
                throw new IllegalStateException("the whole batch fails");
            }
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> records = (List<Map<String, Object>>) event.get("Records");
            return Map.of("batchItemFailures", List.of(Map.of("itemIdentifier", records.get(1).get("messageId"))));
        }
    }

    @TempDir
    Path dir;

    @Test
    void reportedFailuresComeBackAndTheRestIsDeleted() {
        assertEquals(List.of(2), receiveCountsAfterOneBatch(Map.of()));
    }

    @Test
    void aFailedInvocationDeletesNothing() {
        assertEquals(List.of(2, 2, 2), receiveCountsAfterOneBatch(Map.of("THROW", "yes")));
    }

    private List<Integer> receiveCountsAfterOneBatch(Map<String, String> env) {
        try (LocalState local = LocalState.open(dir, Duration.ofMillis(300), 5, Duration.ofMillis(50), Clock.systemUTC())) {
            local.queue().send(List.of(JobBuilders.aSpec().input("file:/a.jpg").build(), JobBuilders.aSpec().input("file:/b.jpg").build(),
                    JobBuilders.aSpec().input("file:/c.jpg").build()));
            Template.Function fn = new Template.Function("Reporter", Reporter.class.getName() + "::handleRequest", env,
                    Duration.ofSeconds(10), 128, List.of(), List.of());
            ServedFunction function = new ServedFunction(fn, 1, () -> new InProcessFunction(fn, env, new AwsConnection("us-east-1", null)));
            var source = new Template.QueueSource("JobQueue", 3, Duration.ofSeconds(1), 1, true);
            int before = CALLS.get();
            new QueueMapping(local.queue(), "JobQueue", function, source, QueueMapping.Kind.SQS_EVENT, line -> { })
                    .poll(() -> CALLS.get() > before);
            sleep(400); // past the visibility timeout
            return local.queue().receive(10).stream().map(Delivery::receiveCount).toList();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
