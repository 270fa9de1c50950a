package pixq.recipe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import pixq.recipe.Operation.Blur;
import pixq.recipe.Operation.Command;
import pixq.recipe.Operation.Crop;
import pixq.recipe.Operation.Custom;
import pixq.recipe.Operation.Fit;
import pixq.recipe.Operation.Flip;
import pixq.recipe.Operation.Flop;
import pixq.recipe.Operation.Grayscale;
import pixq.recipe.Operation.Orient;
import pixq.recipe.Operation.Resize;
import pixq.recipe.Operation.Rotate;
import pixq.recipe.Operation.Sharpen;
import pixq.recipe.Operation.Strip;
import pixq.recipe.Operation.Watermark;

/**
 * The short recipe form typed after {@code --recipe}: a pipeline read left to right.
 *
 * <pre>
 * recipe := item ( SEP item )*            SEP is "|", "&gt;" or ";" (all three separate items)
 * item   := step | output
 * step   := orient | fit SIZE [inside|cover|contain|fill] [upscale] [GRAVITY] [#rrggbb|white|black|transparent]
 *         | crop WxH+X+Y | crop WxH [GRAVITY] | rotate 90|180|270 | flip | flop | grayscale
 *         | blur SIGMA | sharpen [SIGMA [AMOUNT]] | strip
 *         | watermark "TEXT" [GRAVITY] [opacity=0.5] [scale=0.04] | watermark @PATH-OR-URI [GRAVITY] [opacity=..] [scale=..]
 *         | command NAME [allow-empty] | custom NAME [KEY=VALUE ...]
 * output := (jpeg|jpg) [QUALITY] [-SUFFIX] [progressive] [KEEP] | (webp|avif) [QUALITY] [-SUFFIX] [KEEP]
 *         | png [LEVEL 0-9] [-SUFFIX] [KEEP] | meta [-SUFFIX]
 * KEEP   := keep=WHAT[,WHAT...]           WHAT: icc, exif (copyright, artist, date), copyright, artist, date, gps
 * SIZE   := W | WxH | Wx | xH              (W alone means a W×W box)
 * </pre>
 *
 * An output writes the image as it stands at that point ({@code <stem>SUFFIX.ext}); the items after it go on
 * from that same image, so {@code "orient | fit 1600 > jpeg 82 -1600 ; fit 800 > jpeg 82 -800"} writes a 1600
 * and an 800 version from one decode. Steps before the first output are the recipe's shared steps. The string
 * must end with an output, unless it is made of commands only ({@code "command detect"}): then the files the last
 * command writes are the outputs. By convention "&gt;" goes before an output and ";" after one. A meta output always
 * describes the source file, wherever it stands.
 */
public final class RecipeString {
    private static final List<String> STEPS = List.of("orient", "fit", "resize", "crop", "rotate", "flip", "flop",
            "grayscale", "blur", "sharpen", "strip", "watermark", "command", "custom");
    private static final List<String> OUTPUTS = List.of("jpeg", "jpg", "png", "webp", "avif", "meta");

    private RecipeString() {}

    public static Recipe parse(String text) {
        List<List<String>> items = split(text);
        List<Operation> shared = new ArrayList<>();
        List<Operation> sinceFirstOutput = new ArrayList<>();
        List<Output> outputs = new ArrayList<>();
        boolean endsWithOutput = false;
        for (List<String> words : items) {
            String head = words.get(0).toLowerCase(Locale.ROOT);
            List<String> rest = words.subList(1, words.size());
            if (OUTPUTS.contains(head)) {
                outputs.add(output(head, rest, List.copyOf(sinceFirstOutput)));
                endsWithOutput = true;
            } else {
                Operation step = step(head, rest);
                (outputs.isEmpty() ? shared : sinceFirstOutput).add(step);
                endsWithOutput = false;
            }
        }
        Recipe recipe = new Recipe(text.strip(), shared, outputs);
        if (!endsWithOutput && !recipe.writesCommandFiles()) {
            throw new IllegalArgumentException("a recipe string ends with an output, such as '| jpeg 85'"
                    + " (or is made of commands only: then the last command's files are the outputs)");
        }
        return recipe;
    }

    /** Items separated by | > ; outside double quotes, each split into words (a quoted word keeps its spaces). */
    private static List<List<String>> split(String text) {
        List<List<String>> items = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean inWord = false;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ';';
            if (c == '"' && i < text.length()) {
                quoted = !quoted;
                inWord = true;
            } else if (quoted) {
                word.append(c);
            } else if (Character.isWhitespace(c) || c == '|' || c == '>' || c == ';') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                if (!Character.isWhitespace(c)) {
                    if (words.isEmpty()) {
                        if (i < text.length()) {
                            throw new IllegalArgumentException("an empty step before '" + c + "' at position " + (i + 1));
                        }
                    } else {
                        items.add(words);
                        words = new ArrayList<>();
                    }
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("a double quote is not closed");
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException("the recipe string is empty");
        }
        return items;
    }

    private static Operation step(String head, List<String> args) {
        return switch (head) {
            case "orient", "auto-orient" -> noArgs(head, args, new Orient());
            case "fit", "resize" -> fit(args);
            case "crop" -> crop(args);
            case "rotate" -> new Rotate(integer("rotate", one("rotate", args, "degrees")));
            case "flip" -> noArgs(head, args, new Flip());
            case "flop" -> noArgs(head, args, new Flop());
            case "grayscale", "greyscale", "gray", "grey" -> noArgs(head, args, new Grayscale());
            case "blur" -> new Blur(number("blur", one("blur", args, "sigma")));
            case "sharpen" -> sharpen(args);
            case "strip" -> noArgs(head, args, new Strip());
            case "watermark" -> watermark(args);
            case "command" -> command(args);
            case "custom" -> custom(args);
            default -> throw new IllegalArgumentException("unknown step " + quoted(head) + " (steps: "
                    + String.join(", ", STEPS) + "; outputs: jpeg, png, webp, avif, meta)");
        };
    }

    private static Operation command(List<String> args) {
        boolean allowEmpty = args.size() == 2 && args.get(1).equalsIgnoreCase("allow-empty");
        if (args.size() != 1 && !allowEmpty) {
            throw new IllegalArgumentException("command takes a name, then optionally allow-empty, but got "
                    + quoted(String.join(" ", args)));
        }
        return new Command(args.get(0), allowEmpty);
    }

    private static Operation fit(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("fit needs a size, such as 'fit 800' or 'fit 800x600'");
        }
        int[] size = size(args.get(0));
        Fit fit = Fit.INSIDE;
        boolean upscale = false;
        Gravity gravity = null;
        String background = null;
        for (String a : args.subList(1, args.size())) {
            String w = a.toLowerCase(Locale.ROOT);
            if (List.of("inside", "cover", "contain", "fill").contains(w)) {
                fit = Fit.parse(w);
            } else if (w.equals("upscale")) {
                upscale = true;
            } else if (w.startsWith("#") || List.of("white", "black", "transparent").contains(w)) {
                background = w;
            } else {
                gravity = Gravity.parse(w);
            }
        }
        return new Resize(size[0] > 0 ? size[0] : null, size[1] > 0 ? size[1] : null, fit, upscale, background, gravity);
    }

    /** "800" is 800×800, "800x600", "800x" (width only), "x600" (height only); 0 stands for "free". */
    private static int[] size(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        if (!t.matches("\\d+|\\d*x\\d*") || t.equals("x")) {
            throw new IllegalArgumentException(quoted(s) + " is not a size: use W, WxH, Wx or xH, such as 800x600");
        }
        if (!t.contains("x")) {
            int n = integer("size", t);
            return new int[] {n, n};
        }
        String[] p = t.split("x", -1);
        return new int[] {p[0].isEmpty() ? 0 : integer("width", p[0]), p[1].isEmpty() ? 0 : integer("height", p[1])};
    }

    private static Operation crop(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("crop needs WxH+X+Y, or WxH and a gravity");
        }
        var box = java.util.regex.Pattern.compile("(\\d+)x(\\d+)\\+(\\d+)\\+(\\d+)").matcher(args.get(0));
        if (box.matches()) {
            noArgs("crop WxH+X+Y", args.subList(1, args.size()), null);
            return new Crop(integer("x", box.group(3)), integer("y", box.group(4)),
                    integer("width", box.group(1)), integer("height", box.group(2)), null);
        }
        int[] size = size(args.get(0));
        if (size[0] == 0 || size[1] == 0 || !args.get(0).toLowerCase(Locale.ROOT).contains("x")) {
            throw new IllegalArgumentException("crop needs both sides, such as 'crop 400x300' or 'crop 400x300+10+20'");
        }
        Gravity g = args.size() > 1 ? Gravity.parse(one("crop WxH", args.subList(1, args.size()), "gravity")) : null;
        return new Crop(null, null, size[0], size[1], g);
    }

    private static Operation sharpen(List<String> args) {
        if (args.size() > 2) {
            throw new IllegalArgumentException("sharpen takes at most SIGMA and AMOUNT");
        }
        return new Sharpen(args.isEmpty() ? null : number("sharpen", args.get(0)),
                args.size() < 2 ? null : number("sharpen", args.get(1)));
    }

    private static Operation watermark(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("watermark needs \"TEXT\" or @IMAGE-PATH");
        }
        String what = args.get(0);
        Gravity gravity = null;
        Double opacity = null;
        Double scale = null;
        Map<String, String> kv = keyValues(args.subList(1, args.size()), true);
        for (var e : kv.entrySet()) {
            switch (e.getKey()) {
                case "opacity" -> opacity = number("watermark opacity", e.getValue());
                case "scale" -> scale = number("watermark scale", e.getValue());
                case "gravity" -> gravity = Gravity.parse(e.getValue());
                default -> throw new IllegalArgumentException("watermark takes a gravity, opacity=.. and scale=.., not '"
                        + e.getKey() + "'");
            }
        }
        boolean image = what.startsWith("@");
        return new Watermark(image ? null : what, image ? what.substring(1) : null, gravity, opacity, scale);
    }

    private static Operation custom(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("custom needs a filter name");
        }
        return new Custom(args.get(0), keyValues(args.subList(1, args.size()), false));
    }

    /** KEY=VALUE words; with {@code bareGravity} a bare word is taken as gravity=WORD. */
    private static Map<String, String> keyValues(List<String> words, boolean bareGravity) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq > 0) {
                map.put(w.substring(0, eq), w.substring(eq + 1));
            } else if (bareGravity) {
                map.put("gravity", w);
            } else {
                throw new IllegalArgumentException(quoted(w) + " should be KEY=VALUE");
            }
        }
        return map;
    }

    private static Output output(String format, List<String> args, List<Operation> steps) {
        Integer quality = null;
        String suffix = "";
        boolean progressive = false;
        Output.Format kind = Output.Format.of(format);
        List<String> keep = null;
        for (String a : args) {
            if (a.toLowerCase(Locale.ROOT).startsWith("keep=") && kind != Output.Format.META) {
                keep = List.of(a.substring(5).split(","));
            } else if (a.startsWith("-")) {
                suffix = a;
            } else if (a.matches("\\d+")) {
                quality = integer(format + " quality", a);
            } else if (a.equalsIgnoreCase("progressive") && kind != Output.Format.PNG) {
                progressive = true;
            } else {
                throw new IllegalArgumentException(quoted(a) + " after " + format
                        + " is neither a quality, a -suffix, 'progressive' nor keep=...");
            }
        }
        List<Operation> own = kind == Output.Format.META ? List.of() : steps; // meta describes the source, whatever came before
        return new Output(suffix, kind, quality, own, progressive ? Boolean.TRUE : null, Output.keeping(keep));
    }

    private static <T> T noArgs(String step, List<String> args, T value) {
        if (!args.isEmpty()) {
            throw new IllegalArgumentException(step + " takes no arguments, but got " + quoted(String.join(" ", args)));
        }
        return value;
    }

    private static String one(String step, List<String> args, String what) {
        if (args.size() != 1) {
            throw new IllegalArgumentException(step + " takes one " + what + ", but got " + quoted(String.join(" ", args)));
        }
        return args.get(0);
    }

    private static int integer(String what, String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " needs a whole number, not " + quoted(s));
        }
    }

    private static double number(String what, String s) {
        try {
            return Double.parseDouble(s.endsWith("%") ? s.substring(0, s.length() - 1) : s)
                    / (s.endsWith("%") ? 100 : 1);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " needs a number, not " + quoted(s));
        }
    }

    /** At most the first 80 characters of text a user gave, quoted: a 100 KB mistake gets a short message. */
    static String quoted(String text) {
        int most = 80;
        return text.length() <= most ? "'" + text + "'"
                : "'" + text.substring(0, most) + "...' (" + text.length() + " characters)";
    }
}
