package pixq.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one plain JSON mapper (thread-safe once built; never reconfigure it: take a writer or reader with other
 * features, as the meta output's indented writer is). Two mappers differ on purpose: job ids' canonical form
 * (JobSpec) and Lambda's lenient event reading (InProcessFunction).
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}
}
