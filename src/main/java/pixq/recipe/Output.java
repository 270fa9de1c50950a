package pixq.recipe;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One file a recipe writes: its own steps after the shared ones, then its encoding.
 *
 * @param name        the file-name suffix before the extension: "-800" writes {@code <stem>-800.jpg}; may be ""
 * @param format      jpeg, png, webp, or meta (a JSON description of the source: no pixels decoded for it)
 * @param quality     jpeg/webp quality 1..100 (defaults 85/80; webp 101 = lossless); for png the zlib compression
 *                    level 0..9 (default 6)
 * @param steps       this output's own operations, run on the result of the recipe's shared steps
 * @param progressive jpeg only: write a progressive JPEG
 * @param keep        the source metadata this output keeps (default none): "icc" (the colour profile: the pixels
 *                    then stay in the source's colour space instead of being converted to sRGB), "copyright",
 *                    "artist", "date" (date taken), "gps"; "exif" means copyright, artist and date. Any kept EXIF
 *                    carries the orientation as it stands (1 after {@code orient}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Output(String name, String format, Integer quality, List<Operation> steps, Boolean progressive,
                     List<String> keep) {
    private static final Set<String> FORMATS = Set.of("jpeg", "png", "webp", "meta");
    /** What {@link #keep()} may name, in the order it is stored. */
    public static final List<String> KEEPABLE = List.of("icc", "copyright", "artist", "date", "gps");

    public Output {
        name = name == null ? "" : name;
        if (!name.matches("[A-Za-z0-9._-]*") || name.contains("..")) {
            throw new IllegalArgumentException("output name '" + name
                    + "' must be a plain file-name suffix (letters, digits, . _ -), such as -800");
        }
        format = format == null ? "jpeg" : format.toLowerCase(Locale.ROOT);
        format = format.equals("jpg") ? "jpeg" : format;
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("unknown output format '" + format + "' (use jpeg, png, webp or meta)");
        }
        if (quality != null) {
            int max = format.equals("png") ? 9 : format.equals("webp") ? 101 : 100;
            int min = format.equals("png") ? 0 : 1;
            if (quality < min || quality > max) {
                throw new IllegalArgumentException(format + " quality must be " + min + ".." + max + ", not " + quality);
            }
        }
        steps = steps == null ? List.of() : List.copyOf(steps);
        if (format.equals("meta") && !steps.isEmpty()) {
            throw new IllegalArgumentException("a meta output describes the source image and takes no steps");
        }
        progressive = Boolean.TRUE.equals(progressive) ? Boolean.TRUE : null;
        keep = keepList(keep);
        if (keep != null && format.equals("meta")) {
            throw new IllegalArgumentException("a meta output describes the source image and keeps no metadata");
        }
    }

    public Output(String name, String format, Integer quality, List<Operation> steps) {
        this(name, format, quality, steps, null, null);
    }

    public Output(String name, String format, Integer quality, List<Operation> steps, Boolean progressive) {
        this(name, format, quality, steps, progressive, null);
    }

    /** Whether this output keeps that piece of metadata ("icc", "copyright", "artist", "date", "gps"). */
    public boolean keeps(String what) {
        return keep != null && keep.contains(what);
    }

    /** Known names in canonical order, "exif" expanded; null when nothing is kept (so job ids do not change). */
    private static List<String> keepList(List<String> asked) {
        if (asked == null || asked.isEmpty()) {
            return null;
        }
        Set<String> names = new java.util.HashSet<>();
        for (String a : asked) {
            String k = a.toLowerCase(Locale.ROOT).strip();
            if (k.equals("exif")) {
                names.addAll(List.of("copyright", "artist", "date"));
            } else if (KEEPABLE.contains(k)) {
                names.add(k);
            } else {
                throw new IllegalArgumentException("cannot keep '" + a + "': use " + String.join(", ", KEEPABLE) + " or exif");
            }
        }
        return KEEPABLE.stream().filter(names::contains).toList();
    }

    /** The file extension with its dot: ".jpg", ".png", ".webp", ".json". */
    @JsonIgnore
    public String extension() {
        return switch (format) {
            case "jpeg" -> ".jpg";
            case "meta" -> ".json";
            default -> "." + format;
        };
    }

    /** What the output is written under after the input's stem: name + extension, such as "-800.jpg". */
    @JsonIgnore
    public String suffix() {
        return name + extension();
    }

    @JsonIgnore
    public boolean isMeta() {
        return format.equals("meta");
    }
}
