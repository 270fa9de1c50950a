package pixq.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import pixq.recipe.BlobUri;
import pixq.recipe.Json;

/**
 * What the submit function was asked, in one of four shapes:
 * <pre>
 * {"inputs": ["s3://bucket/a.jpg", ...], "recipe": "web", "args": ["x"]}       one job per input
 * {"prefix": "s3://bucket/photos/", "recipe": "web", "startAfter": "..."}     one job per object under it
 * {"args": [["a"], ["b", "c"], "d"], "recipe": "meta"}                         one args-only job per element
 * {"Records": [{"eventSource": "aws:s3", "s3": {...}}]}                       an S3 ObjectCreated notification
 * </pre>
 * Each may name its batch ({@code "batchId"}) and ask for the long queue ({@code "long": true}: Fargate, for
 * jobs longer than Lambda allows); {@code "recipe"} is a built-in name, a recipe string or a recipe object.
 * A prefix submission that stopped early returns the request to continue it with.
 */
record SubmitRequest(String batchId, List<String> inputs, String prefix, String startAfter, JsonNode recipe,
        List<String> args, List<List<String>> argsJobs, List<Created> s3Objects, boolean longJobs) {
    private static final ObjectMapper JSON = Json.MAPPER;
    private static final Set<String> FIELDS = Set.of("batchId", "inputs", "prefix", "startAfter", "recipe", "args", "long");

    static SubmitRequest parse(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new BadRequestException("a submission is a JSON object, such as {\"inputs\": [\"s3://bucket/a.jpg\"], \"recipe\": \"web\"}");
        }
        if (json.has("Records")) {
            return new SubmitRequest(null, null, null, null, null, List.of(), null, s3Objects(json.get("Records")), false);
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new BadRequestException("unknown field '" + name + "': a submission has " + FIELDS);
            }
        }
        String batchId = text(json, "batchId");
        if (batchId != null && !batchId.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new BadRequestException("batchId must be 1 to 100 letters, digits, '.', '_' or '-'");
        }
        JsonNode recipe = json.get("recipe");
        if (recipe == null || recipe.isNull()) {
            throw new BadRequestException("'recipe' is missing: give a built-in name (thumbnail, web, meta), a recipe string or a recipe object");
        }
        if (!(recipe.isTextual() || recipe.isObject())) {
            throw new BadRequestException("'recipe' must be a string (a built-in name such as web, or a recipe string) or a recipe object, not "
                    + recipe.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + recipe);
        }
        JsonNode longJobs = json.path("long");
        if (!longJobs.isMissingNode() && !longJobs.isBoolean()) {
            throw new BadRequestException("'long' must be true or false");
        }
        boolean hasInputs = json.has("inputs");
        boolean hasPrefix = json.has("prefix");
        if (hasInputs && hasPrefix) {
            throw new BadRequestException("give either 'inputs' or 'prefix', not both");
        }
        if (hasInputs || hasPrefix) {
            List<String> args = strings(json.get("args"), "args");
            return new SubmitRequest(batchId, hasInputs ? strings(json.get("inputs"), "inputs") : null,
                    hasPrefix ? text(json, "prefix") : null, text(json, "startAfter"), recipe, args, null, null, longJobs.asBoolean());
        }
        if (!json.has("args")) {
            throw new BadRequestException("nothing to do: give 'inputs', 'prefix' or 'args'");
        }
        return new SubmitRequest(batchId, null, null, null, recipe, List.of(), argsJobs(json.get("args")), null, longJobs.asBoolean());
    }

    /** The request that continues this prefix submission after {@code lastKey}, in the same batch. */
    JsonNode continuation(String batchId, String lastKey) {
        ObjectNode next = JSON.createObjectNode();
        next.put("batchId", batchId);
        next.put("prefix", prefix);
        next.put("startAfter", lastKey);
        next.set("recipe", recipe);
        next.set("args", JSON.valueToTree(args));
        if (longJobs) {
            next.put("long", true);
        }
        return next;
    }

    private static String text(JsonNode json, String field) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new BadRequestException("'" + field + "' must be a string");
        }
        return v.asText();
    }

    private static List<String> strings(JsonNode v, String field) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new BadRequestException("'" + field + "' must be a list of strings");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) {
                throw new BadRequestException("'" + field + "' must be a list of strings, found " + item);
            }
            list.add(item.asText());
        }
        return list;
    }

    /** Each element is one job's args: a string, or a list of strings. */
    private static List<List<String>> argsJobs(JsonNode v) {
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new BadRequestException("'args' without inputs lists one job per element, such as [[\"a\"], [\"b\", \"c\"]]");
        }
        List<List<String>> jobs = new ArrayList<>();
        for (JsonNode item : v) {
            jobs.add(item.isTextual() ? List.of(item.asText()) : strings(item, "args"));
        }
        return jobs;
    }

    /** An object an S3 event says was created: its s3:// URI and its ETag (which version of it this is). */
    record Created(String uri, String eTag) {}

    /** The created objects; keys arrive URL-encoded ('+' for a space). */
    private static List<Created> s3Objects(JsonNode records) {
        if (!records.isArray()) {
            throw new BadRequestException("'Records' must be a list of S3 event records");
        }
        List<Created> created = new ArrayList<>();
        for (JsonNode record : records) {
            String source = record.path("eventSource").asText();
            if (!"aws:s3".equals(source) || !record.path("eventName").asText().startsWith("ObjectCreated")) {
                throw new BadRequestException("only S3 ObjectCreated records are accepted, got " + source + " " + record.path("eventName").asText());
            }
            String bucket = record.path("s3").path("bucket").path("name").asText();
            String key = URLDecoder.decode(record.path("s3").path("object").path("key").asText(), StandardCharsets.UTF_8);
            if (bucket.isEmpty() || key.isEmpty()) {
                throw new BadRequestException("an S3 record lacks its bucket name or object key");
            }
            JsonNode eTag = record.path("s3").path("object").path("eTag");
            created.add(new Created(new BlobUri.S3(bucket, key).toString(), eTag.isTextual() ? eTag.asText() : null));
        }
        return created;
    }
}
