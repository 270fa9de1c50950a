package pixq.job;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import pixq.recipe.BlobUri;
import pixq.recipe.Recipe;
import pixq.recipe.Json;

/**
 * What to do, as it travels on the queue: the job message.
 *
 * @param input        blob URI of the image (s3://bucket/key, file:/path), or null for an args-only job
 * @param inputVersion which version of the input this job is for (an S3 ETag; a file's size and
 *                     modification time), or null when unknown: a new version is new work
 * @param output       blob URI of the folder the outputs go under
 * @param args         free-form arguments for custom code, as in the old {@code add_jobs.py a b c}
 */
public record JobSpec(String id, String batchId, String input, String inputVersion, String output, Recipe recipe,
        List<String> args) {
    private static final ObjectMapper JSON = Json.MAPPER;
    /** Sorted keys and properties: the same value gives the same text in every JVM, whatever a map's order. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    /**
     * Names the form a job id digests. Ids are kept in status records and compared across releases: never
     * change what a form covers, add a new form.
     */
    static final String ID_FORM = "pixq-job-id/1";
    /** The most bytes in a file name on common file systems (ext4, XFS, APFS, NTFS in UTF-16 units). */
    private static final int MAX_NAME_BYTES = 255;
    private static final int SHORTENED_STEM_BYTES = 200;

    public JobSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(batchId, "batchId");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(recipe, "recipe");
        args = args == null ? List.of() : List.copyOf(args);
    }

    /** A new spec whose id depends only on what it does, so submitting the same work twice is harmless. */
    public static JobSpec of(String batchId, String input, String inputVersion, String output, Recipe recipe, List<String> args) {
        return new JobSpec(idFor(input, inputVersion, output, recipe, args), batchId, input, inputVersion, output, recipe, args);
    }

    /** A spec for an input whose version is not known, or for an args-only job. */
    public static JobSpec of(String batchId, String input, String output, Recipe recipe, List<String> args) {
        return of(batchId, input, null, output, recipe, args);
    }

    static String idFor(String input, String inputVersion, String output, Recipe recipe, List<String> args) {
        return digest(new Object[] {ID_FORM, input, inputVersion, output, recipe, args == null ? List.of() : args}).substring(0, 24);
    }

    /** A stable hex digest of a value's canonical JSON form: equal values, equal digests, in every JVM. */
    public static String digest(Object value) {
        try {
            byte[] json = CANONICAL.writeValueAsString(value).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Where the output with this suffix goes: {@code <output folder>/<stem><suffix>}, the stem being the
     * input's file name without its extension (args-only jobs: the job id). A name whose UTF-8 form passes
     * the 255 bytes file systems allow keeps its first 200 bytes, then "~" and 8 hex digits of the whole
     * stem's digest, so it stays the same for every output and every run.
     *
     * @throws IllegalArgumentException when the input's name cannot name a file (".", "..", a folder)
     */
    public String outputUri(String suffix) {
        String stem = stem();
        String name = stem + suffix;
        if (utf8Length(name) > MAX_NAME_BYTES) {
            name = truncated(stem, SHORTENED_STEM_BYTES) + "~" + digest(stem).substring(0, 8) + suffix;
        }
        if (name.isEmpty() || name.contains("/") || name.contains("\0") || utf8Length(name) > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("refusing output name \"" + name + "\": it must be a plain file name");
        }
        BlobUri folder = BlobUri.parse(output);
        if (name.equals(stem + suffix) && input != null && BlobUri.parse(input) instanceof BlobUri.File in
                && folder instanceof BlobUri.File out) { // in the input name's own bytes, UTF-8 or not
            return out.childKeepingBytes(in, suffix).toString();
        }
        return folder.child(name).toString();
    }

    /** Every output the recipe writes for this job, in the recipe's order. */
    public List<String> outputUris() {
        return recipe.outputs().stream().map(o -> outputUri(o.suffix())).toList();
    }

    private String stem() {
        if (input == null) {
            return id;
        }
        String name = BlobUri.parse(input).fileName();
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("the input " + input + " names no file");
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** The longest start of {@code text}, in whole code points, within {@code maxBytes} of UTF-8. */
    private static String truncated(String text, int maxBytes) {
        int end = 0;
        int bytes = 0;
        while (end < text.length()) {
            int next = text.offsetByCodePoints(end, 1);
            bytes += utf8Length(text.substring(end, next));
            if (bytes > maxBytes) {
                break;
            }
            end = next;
        }
        return text.substring(0, end);
    }

    /** The same work, counted in another batch. */
    public JobSpec inBatch(String batch) {
        return new JobSpec(id, batch, input, inputVersion, output, recipe, args);
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
