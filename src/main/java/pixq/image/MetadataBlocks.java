package pixq.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import pixq.recipe.Output;

/**
 * Reads the embedded ICC profile of a JPEG, PNG or WebP file, and writes an ICC profile and an EXIF block into
 * the JPEG, PNG or WebP bytes an encoder made (which carry none): JPEG APP1/APP2 segments, PNG iCCP/eXIf
 * chunks, WebP ICCP/EXIF chunks under a VP8X header.
 */
final class MetadataBlocks {
    private static final byte[] ICC_TAG = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final int ICC_CHUNK = 65519; // a JPEG segment's 65533 bytes less the ICC_PROFILE header

    private MetadataBlocks() {}

    /** The embedded profile, or null when there is none or it cannot be read. */
    static byte[] icc(byte[] b, ImageHeader.Format format) {
        try {
            return switch (format) {
                case JPEG -> jpegIcc(b);
                case PNG -> pngIcc(b);
                case WEBP -> webpChunk(b, "ICCP");
                case HEIF, AVIF -> HeifBoxes.read(b).icc();
                case GIF, BMP, TIFF -> null;
            };
        } catch (RuntimeException | DataFormatException broken) {
            return null; // a broken profile counts as none: the pixels are still fine
        }
    }

    private static byte[] jpegIcc(byte[] b) {
        TreeMap<Integer, byte[]> chunks = new TreeMap<>();
        int i = 2;
        while (i + 4 <= b.length && (b[i] & 0xFF) == 0xFF) {
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            int length = ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
            int data = i + 4;
            if (marker == 0xE2 && length > 16 && Arrays.equals(b, data, data + 12, ICC_TAG, 0, 12)) {
                chunks.put(b[data + 12] & 0xFF, Arrays.copyOfRange(b, data + 14, i + 2 + length));
            }
            i += 2 + length;
        }
        if (chunks.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.values().forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static byte[] pngIcc(byte[] b) throws DataFormatException {
        for (int i = 8; i + 8 <= b.length; ) {
            int length = ByteBuffer.wrap(b, i, 4).getInt();
            String type = new String(b, i + 4, 4, StandardCharsets.ISO_8859_1);
            if (type.equals("iCCP")) {
                int name = i + 8;
                while (b[name] != 0) {
                    name++;
                }
                Inflater inflater = new Inflater();
                inflater.setInput(b, name + 2, i + 8 + length - (name + 2));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                while (!inflater.finished()) {
                    int n = inflater.inflate(buf);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        break;
                    }
                    out.write(buf, 0, n);
                }
                inflater.end();
                return out.toByteArray();
            }
            if (type.equals("IDAT")) {
                return null; // iCCP must come before the image data
            }
            i += 12 + length;
        }
        return null;
    }

    private static byte[] webpChunk(byte[] b, String fourcc) {
        for (int i = 12; i + 8 <= b.length; ) {
            int length = ByteBuffer.wrap(b, i + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (new String(b, i, 4, StandardCharsets.ISO_8859_1).equals(fourcc)) {
                return Arrays.copyOfRange(b, i + 8, i + 8 + length);
            }
            i += 8 + length + (length & 1);
        }
        return null;
    }

    /** The encoded file with the profile and the EXIF (TIFF bytes) added; either may be null. */
    static byte[] embed(byte[] encoded, Output.Format format, byte[] icc, byte[] exif) {
        if (icc == null && exif == null) {
            return encoded;
        }
        return switch (format) {
            case JPEG -> jpeg(encoded, icc, exif);
            case PNG -> png(encoded, icc, exif);
            case WEBP -> webp(encoded, icc, exif);
            case META -> throw new IllegalArgumentException("a meta output carries no metadata blocks");
            case AVIF -> throw new IllegalArgumentException("an AVIF gets its metadata from libheif's encoder (Heif.avif)");
        };
    }

    /** APP1 Exif and APP2 ICC_PROFILE segments right after SOI and the encoder's JFIF APP0. */
    private static byte[] jpeg(byte[] b, byte[] icc, byte[] exif) {
        int at = 2;
        if ((b[2] & 0xFF) == 0xFF && (b[3] & 0xFF) == 0xE0) {
            at = 4 + (((b[4] & 0xFF) << 8) | (b[5] & 0xFF));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 1024);
        out.write(b, 0, at);
        if (exif != null) {
            if (exif.length > 65533 - 6) {
                throw new ImageException("the EXIF to keep is over 64 KB, more than a JPEG segment holds");
            }
            segment(out, 0xE1, "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), exif);
        }
        if (icc != null) {
            int count = (icc.length + ICC_CHUNK - 1) / ICC_CHUNK;
            for (int n = 0; n < count; n++) {
                byte[] head = Arrays.copyOf(ICC_TAG, 14);
                head[12] = (byte) (n + 1);
                head[13] = (byte) count;
                segment(out, 0xE2, head, Arrays.copyOfRange(icc, n * ICC_CHUNK, Math.min(icc.length, (n + 1) * ICC_CHUNK)));
            }
        }
        out.write(b, at, b.length - at);
        return out.toByteArray();
    }

    private static void segment(ByteArrayOutputStream out, int marker, byte[] head, byte[] body) {
        int length = 2 + head.length + body.length;
        out.write(0xFF);
        out.write(marker);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(head);
        out.writeBytes(body);
    }

    /** iCCP and eXIf chunks right after IHDR (both must precede IDAT). */
    private static byte[] png(byte[] b, byte[] icc, byte[] exif) {
        int afterHeader = 8 + 12 + ByteBuffer.wrap(b, 8, 4).getInt();
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 1024);
        out.write(b, 0, afterHeader);
        if (icc != null) {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            data.writeBytes("ICC Profile\0\0".getBytes(StandardCharsets.ISO_8859_1)); // name, NUL, method 0 (zlib)
            Deflater deflater = new Deflater(9);
            deflater.setInput(icc);
            deflater.finish();
            byte[] buf = new byte[8192];
            while (!deflater.finished()) {
                data.write(buf, 0, deflater.deflate(buf));
            }
            deflater.end();
            pngChunk(out, "iCCP", data.toByteArray());
        }
        if (exif != null) {
            pngChunk(out, "eXIf", exif);
        }
        out.write(b, afterHeader, b.length - afterHeader);
        return out.toByteArray();
    }

    private static void pngChunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /**
     * The extended layout: VP8X (flags, canvas size), ICCP, the image chunks as the encoder wrote them, EXIF.
     * A VP8X the encoder wrote (lossy with alpha) is replaced by one with the same canvas and the new flags.
     */
    private static byte[] webp(byte[] b, byte[] icc, byte[] exif) {
        ByteArrayOutputStream image = new ByteArrayOutputStream(b.length);
        int flags = 0;
        int width = 0;
        int height = 0;
        for (int i = 12; i + 8 <= b.length; ) {
            String fourcc = new String(b, i, 4, StandardCharsets.ISO_8859_1);
            int length = ByteBuffer.wrap(b, i + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            int padded = length + (length & 1);
            if (fourcc.equals("VP8X")) {
                flags = b[i + 8] & 0xFF;
                width = 1 + u24(b, i + 12);
                height = 1 + u24(b, i + 15);
            } else {
                if (fourcc.equals("VP8L")) {
                    long bits = ByteBuffer.wrap(b, i + 9, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
                    width = (int) (bits & 0x3FFF) + 1;
                    height = (int) ((bits >> 14) & 0x3FFF) + 1;
                    flags |= (bits >> 28 & 1) == 1 ? 0x10 : 0; // the alpha-is-used hint
                } else if (fourcc.equals("VP8 ")) {
                    width = (b[i + 14] & 0xFF | (b[i + 15] & 0xFF) << 8) & 0x3FFF;
                    height = (b[i + 16] & 0xFF | (b[i + 17] & 0xFF) << 8) & 0x3FFF;
                }
                image.write(b, i, 8 + padded);
            }
            i += 8 + padded;
        }
        flags |= (icc != null ? 0x20 : 0) | (exif != null ? 0x08 : 0);
        ByteArrayOutputStream body = new ByteArrayOutputStream(b.length + 1024);
        body.writeBytes("WEBP".getBytes(StandardCharsets.ISO_8859_1));
        byte[] vp8x = new byte[10];
        vp8x[0] = (byte) flags;
        putU24(vp8x, 4, width - 1);
        putU24(vp8x, 7, height - 1);
        webpChunk(body, "VP8X", vp8x);
        if (icc != null) {
            webpChunk(body, "ICCP", icc);
        }
        body.writeBytes(image.toByteArray());
        if (exif != null) {
            webpChunk(body, "EXIF", exif);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 8);
        out.writeBytes("RIFF".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(body.size()).array());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void webpChunk(ByteArrayOutputStream out, String fourcc, byte[] data) {
        out.writeBytes(fourcc.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(data.length).array());
        out.writeBytes(data);
        if (data.length % 2 == 1) {
            out.write(0);
        }
    }

    private static int u24(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16;
    }

    private static void putU24(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >> 8);
        b[i + 2] = (byte) (v >> 16);
    }
}
