package pixq.aws;

import java.util.function.Function;

/** The functions' configuration comes from environment variables (template.yaml sets them). */
final class Env {
    private Env() {}

    static String required(Function<String, String> env, String name) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set (template.yaml sets it)");
        }
        return value;
    }

    static int integer(Function<String, String> env, String name, int fallback) {
        String value = env.apply(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
    }

    static long longValue(Function<String, String> env, String name, long fallback) {
        String value = env.apply(name);
        return value == null || value.isBlank() ? fallback : Long.parseLong(value.strip());
    }
}
