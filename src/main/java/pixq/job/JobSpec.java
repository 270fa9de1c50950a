package pixq.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import pixq.recipe.Recipe;

/**
 * What to do, as it travels on the queue: the job message.
 *
 * @param input  blob URI of the image (s3://bucket/key, file:/path), or null for an args-only job
 * @param output blob URI of the folder the outputs go under
 * @param args   free-form arguments for custom code, as in the old {@code add_jobs.py a b c}
 */
public record JobSpec(String id, String batchId, String input, String output, Recipe recipe, List<String> args) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public JobSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(recipe, "recipe");
        args = args == null ? List.of() : List.copyOf(args);
    }

    /** A new spec whose id depends only on what it does, so submitting the same work twice is harmless. */
    public static JobSpec of(String batchId, String input, String output, Recipe recipe, List<String> args) {
        return new JobSpec(idFor(input, output, recipe, args), batchId, input, output, recipe, args);
    }

    static String idFor(String input, String output, Recipe recipe, List<String> args) {
        return digest(new Object[] {input, output, recipe, args == null ? List.of() : args}).substring(0, 24);
    }

    /** A stable hex digest of a value's JSON form: equal values, equal digests. */
    public static String digest(Object value) {
        try {
            byte[] json = JSON.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same work, counted in another batch. */
    public JobSpec inBatch(String batch) {
        return new JobSpec(id, batch, input, output, recipe, args);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a job message; a malformed one is an {@link IllegalArgumentException} with the reason. */
    public static JobSpec fromJson(String json) {
        try {
            return JSON.readValue(json, JobSpec.class);
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("malformed job message: " + e.getMessage(), e);
        }
    }
}
