package pixq.serve;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import pixq.aws.AwsConnection;
import pixq.job.Reason;

/**
 * A function run in this JVM (pixq invoke, or pixq serve where the runtime client cannot run): the handler
 * named by the template, built with the template's environment, given the event as Lambda's runtime would
 * deserialize it, its error reported as Lambda reports it.
 */
public final class InProcessFunction implements FunctionInstance {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES, true).build();

    private final Template.Function function;
    private final Object handler;
    private final Method method;
    private final JavaType input;

    /** Builds the handler as Lambda's init would: pixq's handlers take their environment and connection. */
    public InProcessFunction(Template.Function function, Map<String, String> env, AwsConnection aws) {
        this.function = function;
        String[] parts = function.handler().split("::", 2);
        try {
            Class<?> type = Class.forName(parts[0]);
            this.handler = type.getConstructor(Function.class, AwsConnection.class).newInstance((Function<String, String>) env::get, aws);
            String name = parts.length > 1 ? parts[1] : "handleRequest";
            this.method = Arrays.stream(type.getMethods())
                    .filter(m -> m.getName().equals(name) && m.getParameterCount() == 2 && !m.isBridge())
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("no method " + name + "(event, Context) in " + parts[0]));
            this.input = JSON.getTypeFactory().constructType(method.getGenericParameterTypes()[0]);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(function.name() + " failed to start: " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot load handler " + function.handler() + ": " + e, e);
        }
    }

    @Override
    public Outcome invoke(String requestId, byte[] event, Duration timeout) {
        Context context = new LocalContext(function.name(), requestId, timeout, function.memoryMb());
        try {
            Object response = method.invoke(handler, JSON.readValue(event, input), context);
            return new Outcome(JSON.writeValueAsBytes(response), false, "");
        } catch (InvocationTargetException e) {
            return new Outcome(error(e.getCause()), true, "");
        } catch (java.io.IOException e) {
            return new Outcome(error(e), true, "");
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lambda's error document: errorMessage, errorType, stackTrace. */
    static byte[] error(Throwable e) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("errorMessage", Reason.of(e));
        error.put("errorType", e.getClass().getName());
        error.put("stackTrace", Arrays.stream(e.getStackTrace()).map(StackTraceElement::toString).toList());
        try {
            return JSON.writeValueAsBytes(error);
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public boolean alive() {
        return true;
    }

    @Override
    public void close() {}
}
