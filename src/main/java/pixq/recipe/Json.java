package pixq.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one plain JSON mapper (thread-safe once built; never reconfigure it). Three mappers differ on purpose:
 * job ids' canonical form (JobSpec), Lambda's lenient event reading (InProcessFunction), metadata's order.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}
}
