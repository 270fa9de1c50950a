package pixq.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import pixq.aws.AwsConnection;
import pixq.job.Await;
import pixq.recipe.Json;

/** The Invoke API when every instance of a function is busy: Lambda's 429 after a bounded wait, never a hung request. */
@Timeout(60)
class InvokeApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static volatile CountDownLatch entered;
    private static volatile CountDownLatch release;

    /** Built as serve builds in-process handlers; an event {"hold": true} keeps its instance until the test lets go. */
    public static final class Holder {
        public Holder(Function<String, String> env, AwsConnection aws) {}

        public Map<String, Object> handleRequest(Map<String, Object> event, Context context) throws InterruptedException {
            if (Boolean.TRUE.equals(event.get("hold"))) {
                entered.countDown();
                release.await();
            }
            return Map.of("ok", true);
        }
    }

    @Test
    void anInvocationThatFindsNoFreeInstanceWithinTheWaitIsAnsweredTooManyRequests() throws Exception {
        // given a function of one instance, held by a slow invocation, and a wait of 300 ms for an instance
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
        var fn = new Template.Function("Slow", Holder.class.getName() + "::handleRequest", Map.of(), Duration.ofSeconds(30), 128,
                List.of(), List.of());
        ServedFunction slow = new ServedFunction(fn, 1, () -> new InProcessFunction(fn, Map.of(), new AwsConnection(null, null)));
        ExecutorService threads = Executors.newCachedThreadPool();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext(InvokeApi.PATH, new InvokeApi(Map.of("Slow", slow), threads, line -> { }, Duration.ofMillis(300)));
        server.start();
        try {
            CompletableFuture<HttpResponse<String>> first = HTTP.sendAsync(invoke(server, "{\"hold\": true}"), HttpResponse.BodyHandlers.ofString());
            Await.until("the first invocation to hold the only instance", Duration.ofSeconds(30), () -> entered.getCount() == 0);

            // when another invocation comes
            long start = System.nanoTime();
            HttpResponse<String> second = HTTP.send(invoke(server, "{}"), HttpResponse.BodyHandlers.ofString());
            Duration waited = Duration.ofNanos(System.nanoTime() - start);

            // then it gets Lambda's 429 once the wait is over, not after the default 10 s, nor never
            assertEquals(429, second.statusCode(), second.body());
            assertEquals("TooManyRequestsException", second.headers().firstValue("x-amzn-ErrorType").orElse(null));
            JsonNode body = Json.MAPPER.readTree(second.body());
            assertEquals("User", body.path("Type").asText(), second.body());
            assertEquals("Rate Exceeded.", body.path("message").asText(), second.body());
            assertTrue(waited.compareTo(Duration.ofMillis(300)) >= 0 && waited.compareTo(Duration.ofSeconds(5)) < 0, "waited " + waited);

            // and once the instance is free again, the held invocation ends and the next one runs
            release.countDown();
            assertEquals(200, first.get().statusCode(), first.get().body());
            HttpResponse<String> third = HTTP.send(invoke(server, "{}"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, third.statusCode(), third.body());
            assertEquals(true, Json.MAPPER.readTree(third.body()).path("ok").asBoolean(), third.body());
            assertEquals(0, slow.running(), "the throttled invocation left nothing counted as running");
        } finally {
            release.countDown();
            server.stop(0);
            threads.shutdownNow();
            slow.close();
        }
    }

    private static HttpRequest invoke(HttpServer server, String event) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + InvokeApi.PATH + "Slow/invocations"))
                .POST(HttpRequest.BodyPublishers.ofString(event)).build();
    }
}
