package pixq.recipe;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * One file a recipe writes: its own steps after the shared ones, then its encoding.
 *
 * @param name        the file-name suffix before the extension: "-800" writes {@code <stem>-800.jpg}; may be ""
 * @param format      jpeg, png, webp, avif, or meta (a JSON description of the source: no pixels decoded for it)
 * @param quality     jpeg/webp/avif quality 1..100 (defaults 85/80/60; webp 101 = lossless); for png the zlib compression
 *                    level 0..9 (default 6)
 * @param steps       this output's own operations, run on the result of the recipe's shared steps
 * @param progressive jpeg only: write a progressive JPEG
 * @param keep        the source metadata this output keeps (default none), in {@link Keep}'s order; any kept EXIF
 *                    carries the orientation as it stands (1 after {@code orient}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Output(String name, Format format, Integer quality, List<Operation> steps, Boolean progressive,
                     List<Keep> keep) {

    /** What an output is encoded as; written in recipes and job messages by its lower-case name ("jpeg"). */
    public enum Format {
        JPEG(".jpg", "image/jpeg", 1, 100),
        PNG(".png", "image/png", 0, 9),
        WEBP(".webp", "image/webp", 1, 101),
        /** AV1 in HEIF, encoded by libheif (with libaom): where the machine has them. */
        AVIF(".avif", "image/avif", 1, 100),
        /** A JSON description of the source: no pixels decoded for it. */
        META(".json", "application/json", 0, 0);

        private final String extension;
        private final String contentType;
        private final int minQuality;
        private final int maxQuality;

        Format(String extension, String contentType, int minQuality, int maxQuality) {
            this.extension = extension;
            this.contentType = contentType;
            this.minQuality = minQuality;
            this.maxQuality = maxQuality;
        }

        /** "jpeg" (or "jpg"), "png", "webp", "avif", "meta", in any case. */
        @JsonCreator
        public static Format of(String text) {
            String t = text.toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (f.toString().equals(t) || (f == JPEG && t.equals("jpg"))) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown output format '" + text + "' (use jpeg, png, webp, avif or meta)");
        }

        /** The file extension with its dot: ".jpg", ".png", ".webp", ".json". */
        public String extension() {
            return extension;
        }

        public String contentType() {
            return contentType;
        }

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The source metadata an output may keep; written by its lower-case name ("icc"). */
    public enum Keep {
        /** The colour profile: the pixels then stay in the source's colour space instead of being converted to sRGB. */
        ICC, COPYRIGHT, ARTIST, /** Date taken. */ DATE, GPS;

        /** Its name, in any case; "exif" is not one: {@link Output} expands it. */
        @JsonCreator
        public static Keep of(String text) {
            for (Keep k : values()) {
                if (k.toString().equals(text.toLowerCase(Locale.ROOT).strip())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("cannot keep '" + text + "': use icc, copyright, artist, date, gps or exif");
        }

        @JsonValue
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Output {
        name = name == null ? "" : name;
        if (!name.matches("[A-Za-z0-9._-]*") || name.contains("..")) {
            throw new IllegalArgumentException("output name '" + name
                    + "' must be a plain file-name suffix (letters, digits, . _ -), such as -800");
        }
        format = format == null ? Format.JPEG : format;
        if (quality != null && format != Format.META && (quality < format.minQuality || quality > format.maxQuality)) {
            throw new IllegalArgumentException(format + " quality must be " + format.minQuality + ".." + format.maxQuality + ", not " + quality);
        }
        steps = steps == null ? List.of() : List.copyOf(steps);
        if (format == Format.META && !steps.isEmpty()) {
            throw new IllegalArgumentException("a meta output describes the source image and takes no steps");
        }
        progressive = Boolean.TRUE.equals(progressive) ? Boolean.TRUE : null;
        // Canonical order, none as null: job ids do not change with the order asked.
        keep = keep == null || keep.isEmpty() ? null : EnumSet.copyOf(keep).stream().toList();
        if (keep != null && format == Format.META) {
            throw new IllegalArgumentException("a meta output describes the source image and keeps no metadata");
        }
    }

    public Output(String name, String format, Integer quality, List<Operation> steps) {
        this(name, Format.of(format), quality, steps, null, null);
    }

    public Output(String name, String format, Integer quality, List<Operation> steps, Boolean progressive) {
        this(name, Format.of(format), quality, steps, progressive, null);
    }

    /** From a recipe's JSON or a job message, where keep may say "exif". */
    @JsonCreator
    static Output fromJson(@JsonProperty("name") String name, @JsonProperty("format") Format format,
            @JsonProperty("quality") Integer quality, @JsonProperty("steps") List<Operation> steps,
            @JsonProperty("progressive") Boolean progressive, @JsonProperty("keep") List<String> keep) {
        return new Output(name, format, quality, steps, progressive, keeping(keep));
    }

    /** What a recipe asks to keep ("exif" means copyright, artist and date), as the kinds kept; null for none. */
    public static List<Keep> keeping(List<String> asked) {
        if (asked == null) {
            return null;
        }
        List<Keep> kinds = new java.util.ArrayList<>();
        for (String a : asked) {
            if (a.strip().equalsIgnoreCase("exif")) {
                kinds.addAll(List.of(Keep.COPYRIGHT, Keep.ARTIST, Keep.DATE));
            } else {
                kinds.add(Keep.of(a));
            }
        }
        return kinds;
    }

    /** Whether this output keeps that piece of metadata. */
    public boolean keeps(Keep what) {
        return keep != null && keep.contains(what);
    }

    /** The file extension with its dot: ".jpg", ".png", ".webp", ".avif", ".json". */
    @JsonIgnore
    public String extension() {
        return format.extension();
    }

    /** What the output is written under after the input's stem: name + extension, such as "-800.jpg". */
    @JsonIgnore
    public String suffix() {
        return name + extension();
    }

    @JsonIgnore
    public boolean isMeta() {
        return format == Format.META;
    }
}
