package pixq.recipe;

import java.util.Locale;

/** A colour a recipe names: "white", "black", "transparent", "#rrggbb" or "#rrggbbaa"; 0–255 per channel. */
public record Colour(int red, int green, int blue, int alpha) {

    /** @throws IllegalArgumentException naming the forms a colour may take */
    public static Colour parse(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        switch (t) {
            case "white": return new Colour(255, 255, 255, 255);
            case "black": return new Colour(0, 0, 0, 255);
            case "transparent": return new Colour(0, 0, 0, 0);
            default:
        }
        if (!t.matches("#[0-9a-f]{6}([0-9a-f]{2})?")) {
            throw new IllegalArgumentException("'" + text + "' is not a colour: use white, black, transparent, #rrggbb or #rrggbbaa");
        }
        int alpha = t.length() == 9 ? Integer.parseInt(t.substring(7, 9), 16) : 255;
        return new Colour(Integer.parseInt(t.substring(1, 3), 16), Integer.parseInt(t.substring(3, 5), 16),
                Integer.parseInt(t.substring(5, 7), 16), alpha);
    }
}
