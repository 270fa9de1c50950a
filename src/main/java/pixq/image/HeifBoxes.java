package pixq.image;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a HEIF container (HEIC or AVIF) says about its primary image, read from its boxes in Java, without
 * libheif: its size (for the limits, before any decoder runs), whether it carries rotation or mirroring
 * (irot, imir: libheif applies them while decoding) and its ICC profile. A box that runs past the end of
 * the file (or of its parent) says so; reading past the end otherwise is reported by {@link ImageHeader} as a
 * truncated header.
 *
 * @param width  the stored width (ispe), before any rotation
 * @param height the stored height (ispe)
 * @param turned whether irot turns it a quarter or three quarters (displayed width and height swap)
 * @param icc    the embedded profile (colr of type prof or rICC), or null
 */
record HeifBoxes(boolean avif, int width, int height, boolean transformed, boolean turned, byte[] icc) {

    private static final List<String> HEVC_BRANDS = List.of("heic", "heix", "heim", "heis", "hevc", "hevx", "heif");
    private static final List<String> AV1_BRANDS = List.of("avif", "avis");
    private static final List<String> STRUCTURAL_BRANDS = List.of("mif1", "msf1", "miaf");

    /** Whether the file's ftyp box names a HEIF still-image brand (HEVC, AV1 or the structural mif1). */
    static boolean isHeif(byte[] b) {
        return brands(b) != null;
    }

    /** The brands of an ftyp box that makes a HEIF still image, major first; null for any other file. */
    private static List<String> brands(byte[] b) {
        if (b.length < 16 || !ascii(b, 4, 4).equals("ftyp")) {
            return null;
        }
        int end = (int) Math.min(b.length, u32(b, 0));
        List<String> brands = new ArrayList<>(List.of(ascii(b, 8, 4)));
        for (int i = 16; i + 4 <= end; i += 4) {
            brands.add(ascii(b, i, 4));
        }
        boolean still = brands.stream().anyMatch(x -> HEVC_BRANDS.contains(x) || AV1_BRANDS.contains(x) || STRUCTURAL_BRANDS.contains(x));
        return still ? brands : null;
    }

    static HeifBoxes read(byte[] b) {
        List<String> brands = brands(b);
        if (brands == null) {
            throw new ImageException("not a HEIF file: its ftyp box names no HEIF brand");
        }
        boolean avif = AV1_BRANDS.contains(brands.get(0))
                || !HEVC_BRANDS.contains(brands.get(0)) && brands.stream().anyMatch(AV1_BRANDS::contains);
        String kind = avif ? "AVIF" : "HEIF";
        Box meta = child(b, 0, b.length, "meta");
        if (meta == null) {
            throw new ImageException("the " + kind + " file is corrupt: it has no meta box");
        }
        int metaBody = meta.body + 4; // a full box: version and flags first
        Box pitm = child(b, metaBody, meta.end, "pitm");
        Box iprp = child(b, metaBody, meta.end, "iprp");
        Box ipco = iprp == null ? null : child(b, iprp.body, iprp.end, "ipco");
        if (pitm == null || ipco == null) {
            throw new ImageException("the " + kind + " file is corrupt: it names no primary image or no image properties");
        }
        long primary = b[pitm.body] == 0 ? u16(b, pitm.body + 4) : u32(b, pitm.body + 4);
        List<Box> properties = children(b, ipco.body, ipco.end);
        int width = -1;
        int height = -1;
        boolean transformed = false;
        boolean turned = false;
        byte[] icc = null;
        for (int index : associations(b, iprp, primary)) {
            if (index < 1 || index > properties.size()) {
                continue; // 0 means none; a dangling index is the decoder's to refuse
            }
            Box p = properties.get(index - 1);
            switch (p.type) {
                case "ispe" -> {
                    width = (int) Math.min(Integer.MAX_VALUE, u32(b, p.body + 4));
                    height = (int) Math.min(Integer.MAX_VALUE, u32(b, p.body + 8));
                }
                case "irot" -> {
                    transformed = true;
                    turned = (b[p.body] & 1) == 1;
                }
                case "imir" -> transformed = true;
                case "colr" -> {
                    String type = ascii(b, p.body, 4);
                    if (type.equals("prof") || type.equals("rICC")) {
                        icc = Arrays.copyOfRange(b, p.body + 4, p.end);
                    }
                }
                default -> { }
            }
        }
        if (width < 0) {
            throw new ImageException("the " + kind + " file is corrupt: its primary image has no size (ispe)");
        }
        return new HeifBoxes(avif, width, height, transformed, turned, icc);
    }

    /** The ipco indexes (from 1) the ipma boxes associate with the item, in their order. */
    private static List<Integer> associations(byte[] b, Box iprp, long item) {
        List<Integer> indexes = new ArrayList<>();
        for (Box box : children(b, iprp.body, iprp.end)) {
            if (!box.type.equals("ipma")) {
                continue;
            }
            int version = b[box.body];
            boolean wide = (b[box.body + 3] & 1) == 1;
            int at = box.body + 4;
            long entries = u32(b, at);
            at += 4;
            for (long e = 0; e < entries && at < box.end; e++) {
                long id = version < 1 ? u16(b, at) : u32(b, at);
                at += version < 1 ? 2 : 4;
                int count = b[at++] & 0xFF;
                for (int a = 0; a < count; a++) {
                    int index = wide ? u16(b, at) & 0x7FFF : b[at] & 0x7F;
                    at += wide ? 2 : 1;
                    if (id == item) {
                        indexes.add(index);
                    }
                }
            }
        }
        return indexes;
    }

    /** A box: its type, where its body starts and where it ends. */
    private record Box(String type, int body, int end) {}

    /** The first child box of that type between from and to; null when there is none. */
    private static Box child(byte[] b, int from, int to, String type) {
        return children(b, from, to).stream().filter(box -> box.type.equals(type)).findFirst().orElse(null);
    }

    private static List<Box> children(byte[] b, int from, int to) {
        List<Box> boxes = new ArrayList<>();
        int at = from;
        while (at + 8 <= to) {
            long size = u32(b, at);
            int header = 8;
            if (size == 1) { // a 64-bit size follows the type
                size = u32(b, at + 8) << 32 | u32(b, at + 12);
                header = 16;
            } else if (size == 0) {
                size = to - at; // to the end
            }
            if (size < header) {
                throw new ImageException("the HEIF file is corrupt: a box at byte " + at + " claims " + size + " bytes");
            }
            if (at + size > to) {
                throw new ImageException("the file is truncated: its '" + ascii(b, at + 4, 4) + "' box needs "
                        + (at + size) + " bytes, the file " + (to == b.length ? "has " + b.length : "ends its parent at " + to));
            }
            boxes.add(new Box(ascii(b, at + 4, 4), at + header, (int) (at + size)));
            at += (int) size;
        }
        return boxes;
    }

    private static String ascii(byte[] b, int at, int n) {
        if (at < 0 || b.length < at + n) {
            throw new ArrayIndexOutOfBoundsException(at + n);
        }
        return new String(b, at, n, StandardCharsets.ISO_8859_1);
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static long u32(byte[] b, int i) {
        return (long) u16(b, i) << 16 | u16(b, i + 2);
    }
}
