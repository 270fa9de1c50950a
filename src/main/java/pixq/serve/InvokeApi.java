package pixq.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import pixq.recipe.Json;

/**
 * Lambda's Invoke API, {@code POST /2015-03-31/functions/{FunctionName}/invocations}, answered as AWS
 * answers it: RequestResponse (200 with the handler's JSON, or with X-Amz-Function-Error and the error
 * JSON), Event (202, run in the background, retried twice on error as Lambda does), DryRun (204);
 * X-Amz-Log-Type: Tail gives the end of the log; service errors carry x-amzn-ErrorType. A function is
 * named by its name, a partial or full ARN, with a {@code :qualifier} or {@code ?Qualifier=}.
 */
public final class InvokeApi implements HttpHandler {
    public static final String PATH = "/2015-03-31/functions/";
    public static final int MAX_PAYLOAD = 6 * 1024 * 1024; // Lambda's synchronous limit: 6 MB
    /** How long an invocation waits for a free instance before Lambda's 429 (TooManyRequestsException). */
    private static final Duration THROTTLE_WAIT = Duration.ofSeconds(10);
    private static final long DISCARD_LIMIT = 4L * MAX_PAYLOAD;
    private static final int ASYNC_ATTEMPTS = 3;
    private static final ObjectMapper JSON = Json.MAPPER;

    private final Map<String, ServedFunction> functions;
    private final ExecutorService background;
    private final Consumer<String> log;
    private final Duration throttleWait;

    InvokeApi(Map<String, ServedFunction> functions, ExecutorService background, Consumer<String> log) {
        this(functions, background, log, THROTTLE_WAIT);
    }

    /** @param throttleWait how long an invocation waits for a free instance before the 429 */
    InvokeApi(Map<String, ServedFunction> functions, ExecutorService background, Consumer<String> log, Duration throttleWait) {
        this.functions = functions;
        this.background = background;
        this.log = log;
        this.throttleWait = throttleWait;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String requestId = UUID.randomUUID().toString();
            exchange.getResponseHeaders().set("x-amzn-RequestId", requestId);
            String rest = exchange.getRequestURI().getRawPath().substring(PATH.length());
            if (!rest.endsWith("/invocations") || !"POST".equals(exchange.getRequestMethod())) {
                error(exchange, 404, "UnknownOperationException", "only POST " + PATH + "{FunctionName}/invocations is served here");
                return;
            }
            String name = functionName(URLDecoder.decode(rest.substring(0, rest.length() - "/invocations".length()), StandardCharsets.UTF_8));
            ServedFunction function = functions.get(name);
            if (function == null) {
                error(exchange, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:" + name);
                return;
            }
            byte[] payload = payload(exchange);
            if (payload == null) {
                tooLarge(exchange);
                return;
            }
            try {
                JSON.readTree(payload);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                error(exchange, 400, "InvalidRequestContentException", "Could not parse request body into json: " + e.getOriginalMessage());
                return;
            }
            String type = header(exchange, "X-Amz-Invocation-Type", "RequestResponse");
            switch (type) {
                case "RequestResponse" -> respond(exchange, function, requestId, payload);
                case "Event" -> {
                    background.execute(() -> inBackground(function, requestId, payload));
                    exchange.sendResponseHeaders(202, -1);
                }
                case "DryRun" -> exchange.sendResponseHeaders(204, -1);
                default -> error(exchange, 400, "InvalidParameterValueException", "unknown InvocationType " + type);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void respond(HttpExchange exchange, ServedFunction function, String requestId, byte[] payload)
            throws IOException, InterruptedException {
        FunctionInstance.Outcome outcome = function.invokeWithin(throttleWait, requestId, payload);
        if (outcome == null) {
            error(exchange, 429, "TooManyRequestsException", "Rate Exceeded.");
            return;
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/json");
        headers.set("X-Amz-Executed-Version", "$LATEST");
        if (outcome.failed()) {
            headers.set("X-Amz-Function-Error", "Unhandled");
        }
        if ("Tail".equals(header(exchange, "X-Amz-Log-Type", "None"))) {
            headers.set("X-Amz-Log-Result", Base64.getEncoder().encodeToString(outcome.log().getBytes(StandardCharsets.UTF_8)));
        }
        exchange.sendResponseHeaders(200, outcome.payload().length == 0 ? -1 : outcome.payload().length);
        exchange.getResponseBody().write(outcome.payload());
    }

    private void inBackground(ServedFunction function, String requestId, byte[] payload) {
        try {
            for (int attempt = 1; attempt <= ASYNC_ATTEMPTS; attempt++) {
                FunctionInstance.Outcome outcome = function.invoke(requestId, payload);
                if (!outcome.failed()) {
                    return;
                }
                log.accept(function.name() + " (Event " + requestId + ", attempt " + attempt + " of " + ASYNC_ATTEMPTS + ") failed: "
                        + new String(outcome.payload(), StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** "SubmitFunction", "SubmitFunction:live", "123456789012:function:SubmitFunction", or a full ARN: the name. */
    static String functionName(String given) {
        String name = given;
        int at = name.indexOf(":function:");
        if (at >= 0) {
            name = name.substring(at + ":function:".length());
        }
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /**
     * The body, or null past the limit. A declared Content-Length over the limit is refused before a byte
     * of the body is read; a chunked body is read up to the limit only. Either way the connection closes
     * after the 413, its unread rest dropped.
     */
    private static byte[] payload(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && (!length.strip().matches("\\d{1,18}") || Long.parseLong(length.strip()) > MAX_PAYLOAD)) {
            return null;
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_PAYLOAD + 1);
        if (body.length > MAX_PAYLOAD) {
            return null;
        }
        // Lambda hands a function an empty payload as an empty JSON object.
        return body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body;
    }

    /**
     * The 413, sent before the body is read; then the body is read on and dropped (up to DISCARD_LIMIT), and
     * the connection closed: closing on unread data resets it, and a client still sending would lose the answer.
     */
    private static void tooLarge(HttpExchange exchange) throws IOException {
        byte[] body = JSON.writeValueAsBytes(Map.of("Type", "User",
                "message", "Request must be smaller than " + MAX_PAYLOAD + " bytes for the InvokeFunction operation"));
        var headers = exchange.getResponseHeaders();
        headers.set("x-amzn-ErrorType", "RequestEntityTooLargeException");
        headers.set("Content-Type", "application/json");
        headers.set("Connection", "close");
        exchange.sendResponseHeaders(413, body.length);
        OutputStream out = exchange.getResponseBody();
        out.write(body);
        out.flush();
        byte[] sink = new byte[64 * 1024];
        var in = exchange.getRequestBody();
        for (long read = 0; read < DISCARD_LIMIT; ) {
            int n = in.read(sink);
            if (n < 0) {
                break;
            }
            read += n;
        }
        out.close();
    }

    private static String header(HttpExchange exchange, String name, String fallback) {
        String value = exchange.getRequestHeaders().getFirst(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    /** An error of the service itself, in the shape the AWS SDKs and CLI read: x-amzn-ErrorType and a message. */
    static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        byte[] body = JSON.writeValueAsBytes(Map.of("Type", "User", "message", message));
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body); // closed here, so the answer is out before an unread request body ends the connection
        }
    }
}
