package pixq.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the EXIF an output keeps, as the TIFF structure that JPEG's APP1, PNG's eXIf and WebP's EXIF chunk all
 * hold: the orientation as it stands, and only the tags asked for (artist, copyright, date taken, GPS position).
 */
final class Exif {
    private static final short ASCII = 2;
    private static final short SHORT = 3;
    private static final short LONG = 4;
    private static final short RATIONAL = 5;
    private static final short BYTE = 1;
    private static final short UNDEFINED = 7;

    private record Entry(int tag, short type, int count, byte[] value) {}

    /** The values to keep (null when absent or not asked for); GPS as EXIF stores it: refs and rational triples. */
    record Kept(String artist, String copyright, String dateTaken, Gps gps) {}

    record Gps(String latRef, long[] lat, String lonRef, long[] lon, Integer altRef, long[] alt) {}

    private Exif() {}

    /** The TIFF bytes, with the tags EXIF 2.32 requires (resolution, version, colour space, pixel size). */
    static byte[] tiff(int orientation, int width, int height, Kept k) {
        List<Entry> exif = new ArrayList<>();
        exif.add(new Entry(0x9000, UNDEFINED, 4, "0232".getBytes(StandardCharsets.ISO_8859_1)));
        if (k.dateTaken() != null) {
            exif.add(ascii(0x9003, k.dateTaken()));
        }
        exif.add(new Entry(0x9101, UNDEFINED, 4, new byte[] {1, 2, 3, 0}));
        exif.add(new Entry(0xA000, UNDEFINED, 4, "0100".getBytes(StandardCharsets.ISO_8859_1)));
        exif.add(new Entry(0xA001, SHORT, 1, int16(1))); // sRGB
        exif.add(new Entry(0xA002, LONG, 1, int32(width)));
        exif.add(new Entry(0xA003, LONG, 1, int32(height)));
        List<Entry> gps = new ArrayList<>();
        if (k.gps() != null) {
            Gps g = k.gps();
            gps.add(new Entry(0x0000, BYTE, 4, new byte[] {2, 3, 0, 0}));
            gps.add(ascii(0x0001, g.latRef()));
            gps.add(rationals(0x0002, g.lat()));
            gps.add(ascii(0x0003, g.lonRef()));
            gps.add(rationals(0x0004, g.lon()));
            if (g.alt() != null) {
                gps.add(new Entry(0x0005, BYTE, 1, new byte[] {(byte) (g.altRef() == null ? 0 : g.altRef())}));
                gps.add(rationals(0x0006, g.alt()));
            }
        }
        List<Entry> ifd0 = new ArrayList<>();
        ifd0.add(new Entry(0x0112, SHORT, 1, int16(orientation)));
        ifd0.add(rationals(0x011A, new long[] {72, 1}));
        ifd0.add(rationals(0x011B, new long[] {72, 1}));
        ifd0.add(new Entry(0x0128, SHORT, 1, int16(2))); // inches
        ifd0.add(new Entry(0x0213, SHORT, 1, int16(1))); // centred
        if (k.artist() != null) {
            ifd0.add(ascii(0x013B, k.artist()));
        }
        if (k.copyright() != null) {
            ifd0.add(ascii(0x8298, k.copyright()));
        }
        int at = 8 + size(ifd0) + 12 + (gps.isEmpty() ? 0 : 12);
        ifd0.add(new Entry(0x8769, LONG, 1, int32(at)));
        at += size(exif);
        if (!gps.isEmpty()) {
            ifd0.add(new Entry(0x8825, LONG, 1, int32(at)));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8});
        for (List<Entry> ifd : List.of(ifd0, exif, gps)) {
            if (!ifd.isEmpty()) {
                out.writeBytes(ifd(ifd, out.size()));
            }
        }
        return out.toByteArray();
    }

    private static int size(List<Entry> entries) {
        int n = 2 + 12 * entries.size() + 4;
        for (Entry e : entries) {
            n += e.value().length > 4 ? (e.value().length + 1) & ~1 : 0;
        }
        return n;
    }

    /** One IFD at {@code offset}, entries in tag order, values longer than 4 bytes after it; no next IFD. */
    private static byte[] ifd(List<Entry> entries, int offset) {
        List<Entry> sorted = entries.stream().sorted((a, b) -> Integer.compare(a.tag(), b.tag())).toList();
        ByteBuffer b = ByteBuffer.allocate(size(sorted));
        int data = offset + 2 + 12 * sorted.size() + 4;
        b.putShort((short) sorted.size());
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        for (Entry e : sorted) {
            b.putShort((short) e.tag()).putShort(e.type()).putInt(e.count());
            if (e.value().length <= 4) {
                b.put(e.value()).put(new byte[4 - e.value().length]);
            } else {
                b.putInt(data + extra.size());
                extra.writeBytes(e.value());
                if (e.value().length % 2 == 1) {
                    extra.write(0);
                }
            }
        }
        b.putInt(0);
        b.put(extra.toByteArray());
        return b.array();
    }

    private static Entry ascii(int tag, String s) {
        byte[] text = (s + "\0").getBytes(StandardCharsets.ISO_8859_1);
        return new Entry(tag, ASCII, text.length, text);
    }

    /** Numerator, denominator pairs. */
    private static Entry rationals(int tag, long[] nd) {
        ByteBuffer b = ByteBuffer.allocate(4 * nd.length);
        for (long v : nd) {
            b.putInt((int) v);
        }
        return new Entry(tag, RATIONAL, nd.length / 2, b.array());
    }

    private static byte[] int16(int v) {
        return ByteBuffer.allocate(2).putShort((short) v).array();
    }

    private static byte[] int32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }
}
