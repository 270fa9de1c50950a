package pixq.recipe;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where a crop window, a cover crop or a watermark sits: the compass points and the centre. */
public enum Gravity {
    CENTER(0.5, 0.5), NORTH(0.5, 0), NORTHEAST(1, 0), EAST(1, 0.5), SOUTHEAST(1, 1),
    SOUTH(0.5, 1), SOUTHWEST(0, 1), WEST(0, 0.5), NORTHWEST(0, 0);

    /** Horizontal and vertical position of the placed box in the free space, 0 = left/top, 1 = right/bottom. */
    public final double fx;
    public final double fy;

    Gravity(double fx, double fy) {
        this.fx = fx;
        this.fy = fy;
    }

    /** Offset of a box of size {@code inner} inside {@code outer} (both along one axis). */
    public int offset(int outer, int inner, boolean horizontal) {
        return (int) Math.round((outer - inner) * (horizontal ? fx : fy));
    }

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Accepts "southeast", "SouthEast", "se", "south-east", "centre". */
    @JsonCreator
    public static Gravity parse(String text) {
        String t = text.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (Gravity g : values()) {
            if (g.id().equals(t) || g.abbreviation().equals(t)) {
                return g;
            }
        }
        if (t.equals("centre") || t.equals("middle")) {
            return CENTER;
        }
        throw new IllegalArgumentException("unknown gravity '" + text + "' (use one of "
                + Arrays.stream(values()).map(Gravity::id).collect(Collectors.joining(", ")) + ")");
    }

    private String abbreviation() {
        return switch (this) {
            case CENTER -> "c";
            case NORTH -> "n";
            case NORTHEAST -> "ne";
            case EAST -> "e";
            case SOUTHEAST -> "se";
            case SOUTH -> "s";
            case SOUTHWEST -> "sw";
            case WEST -> "w";
            case NORTHWEST -> "nw";
        };
    }
}
