package pixq.image;

import java.nio.charset.StandardCharsets;

/**
 * What the first bytes of a file say: its format (sniffed from magic numbers, never the file name) and its
 * size, read without decoding a pixel so that decompression bombs are refused before any decoder runs.
 *
 * @param components JPEG colour components (1 gray, 3 YCbCr, 4 CMYK/YCCK); 0 for other formats
 * @param dataStart  JPEG: offset of the first scan (SOS), so truncation can be checked after it; else 0
 * @param coefficientBytes a progressive JPEG: the bytes libjpeg holds for its DCT coefficients, whole and at full
 *                   size whatever the DCT scale, until its last scan (2 per coefficient); else 0
 */
record ImageHeader(Format format, int width, int height, int components, int dataStart, long coefficientBytes) {

    ImageHeader(Format format, int width, int height, int components, int dataStart) {
        this(format, width, height, components, dataStart, 0);
    }

    /** HEIF: HEIC and other HEVC stills; AVIF: AV1 stills (both decoded by libheif, {@link Heif}). */
    enum Format { JPEG, PNG, GIF, BMP, TIFF, WEBP, HEIF, AVIF }

    static ImageHeader read(byte[] b) {
        if (b == null || b.length == 0) {
            throw new ImageException("the file is empty (0 bytes): not an image");
        }
        try {
            if (starts(b, 0xFF, 0xD8, 0xFF)) {
                return jpeg(b);
            }
            if (starts(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
                return png(b);
            }
            if (starts(b, 'G', 'I', 'F', '8') && b.length > 5 && (b[4] == '7' || b[4] == '9') && b[5] == 'a') {
                return new ImageHeader(Format.GIF, u16le(b, 6), u16le(b, 8), 0, 0);
            }
            if (starts(b, 'B', 'M')) {
                return bmp(b);
            }
            if (starts(b, 'I', 'I', 42, 0) || starts(b, 'M', 'M', 0, 42)) {
                return tiff(b);
            }
            if (starts(b, 'R', 'I', 'F', 'F') && b.length >= 12 && ascii(b, 8, 4).equals("WEBP")) {
                return webp(b);
            }
            if (HeifBoxes.isHeif(b)) {
                return heif(b);
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new ImageException("the file is truncated: it ends inside its header (" + b.length + " bytes)");
        }
        throw new ImageException("not an image: unknown format " + describe(b));
    }

    /** "(starts with 0x3C 0x68 0x74 0x6D "<htm")" or a known non-image name. */
    private static String describe(byte[] b) {
        if (b.length >= 12 && new String(b, 4, 4, StandardCharsets.ISO_8859_1).equals("ftyp")) {
            return "(an ISO media file of brand '" + new String(b, 8, 4, StandardCharsets.ISO_8859_1)
                    + "', such as a video, not a HEIC or AVIF still image)";
        }
        StringBuilder hex = new StringBuilder("(starts with");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.length); i++) {
            hex.append(String.format(" 0x%02X", b[i] & 0xFF));
            text.append(b[i] >= 0x20 && b[i] < 0x7F ? (char) b[i] : '.');
        }
        return hex + " \"" + text + "\"; readable formats: JPEG, PNG, GIF, BMP, TIFF, WebP, HEIC, AVIF)";
    }

    private static ImageHeader jpeg(byte[] b) {
        int i = 2;
        int width = -1;
        int height = -1;
        int components = 0;
        long coefficientBytes = 0;
        while (true) {
            if ((b[i] & 0xFF) != 0xFF) {
                throw new ImageException("the JPEG file is corrupt: no marker at byte " + i);
            }
            while ((b[i] & 0xFF) == 0xFF) {
                i++; // fill bytes
            }
            int marker = b[i] & 0xFF;
            i++;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                continue; // standalone markers carry no length
            }
            if (marker == 0xD9) {
                throw new ImageException("the JPEG file is corrupt: it ends before any image data");
            }
            int length = u16be(b, i);
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                height = u16be(b, i + 3);
                width = u16be(b, i + 5);
                components = b[i + 7] & 0xFF;
                boolean progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
                coefficientBytes = progressive ? coefficientBytes(b, i + 8, components, width, height) : 0;
            }
            if (marker == 0xDA) {
                if (width < 0) {
                    throw new ImageException("the JPEG file is corrupt: image data comes before its size (no SOF marker)");
                }
                return new ImageHeader(Format.JPEG, width, height, components, i + length, coefficientBytes);
            }
            i += length;
        }
    }

    /** Each component's 8×8 blocks (fewer for subsampled chroma) × 64 coefficients × 2 bytes. */
    private static long coefficientBytes(byte[] b, int first, int components, int width, int height) {
        int maxH = 1;
        int maxV = 1;
        for (int c = 0; c < components; c++) {
            maxH = Math.max(maxH, (b[first + 3 * c + 1] & 0xFF) >> 4);
            maxV = Math.max(maxV, b[first + 3 * c + 1] & 0x0F);
        }
        long bytes = 0;
        for (int c = 0; c < components; c++) {
            int h = Math.max(1, (b[first + 3 * c + 1] & 0xFF) >> 4);
            int v = Math.max(1, b[first + 3 * c + 1] & 0x0F);
            long blocksAcross = ((long) width * h + 8L * maxH - 1) / (8L * maxH);
            long blocksDown = ((long) height * v + 8L * maxV - 1) / (8L * maxV);
            bytes += blocksAcross * blocksDown * 64 * 2;
        }
        return bytes;
    }

    private static ImageHeader png(byte[] b) {
        if (!ascii(b, 12, 4).equals("IHDR")) {
            throw new ImageException("the PNG file is corrupt: its first chunk is not IHDR");
        }
        return new ImageHeader(Format.PNG, s32be(b, 16), s32be(b, 20), 0, 0);
    }

    private static ImageHeader bmp(byte[] b) {
        int dib = s32le(b, 14);
        if (dib == 12) { // OS/2 BITMAPCOREHEADER: 16-bit sizes
            return new ImageHeader(Format.BMP, u16le(b, 18), u16le(b, 20), 0, 0);
        }
        int h = s32le(b, 22);
        return new ImageHeader(Format.BMP, s32le(b, 18), h == Integer.MIN_VALUE ? h : Math.abs(h), 0, 0); // < 0: top-down
    }

    private static ImageHeader tiff(byte[] b) {
        boolean le = b[0] == 'I';
        int ifd = le ? s32le(b, 4) : s32be(b, 4);
        int count = le ? u16le(b, ifd) : u16be(b, ifd);
        int width = -1;
        int height = -1;
        for (int e = 0; e < count; e++) {
            int at = ifd + 2 + 12 * e;
            int tag = le ? u16le(b, at) : u16be(b, at);
            int type = le ? u16le(b, at + 2) : u16be(b, at + 2);
            int value = type == 3 ? (le ? u16le(b, at + 8) : u16be(b, at + 8)) : (le ? s32le(b, at + 8) : s32be(b, at + 8));
            if (tag == 256) {
                width = value;
            } else if (tag == 257) {
                height = value;
            }
        }
        if (width < 0 || height < 0) {
            throw new ImageException("the TIFF file is corrupt: its first IFD has no ImageWidth/ImageLength");
        }
        return new ImageHeader(Format.TIFF, width, height, 0, 0);
    }

    private static ImageHeader webp(byte[] b) {
        String chunk = ascii(b, 12, 4);
        switch (chunk) {
            case "VP8 " -> {
                if (!startsAt(b, 23, 0x9D, 0x01, 0x2A)) {
                    throw new ImageException("the WebP file is corrupt: bad VP8 start code");
                }
                return new ImageHeader(Format.WEBP, u16le(b, 26) & 0x3FFF, u16le(b, 28) & 0x3FFF, 0, 0);
            }
            case "VP8L" -> {
                if ((b[20] & 0xFF) != 0x2F) {
                    throw new ImageException("the WebP file is corrupt: bad VP8L signature");
                }
                int bits = s32le(b, 21);
                return new ImageHeader(Format.WEBP, (bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1, 0, 0);
            }
            case "VP8X" -> {
                int w = (b[24] & 0xFF | (b[25] & 0xFF) << 8 | (b[26] & 0xFF) << 16) + 1;
                int h = (b[27] & 0xFF | (b[28] & 0xFF) << 8 | (b[29] & 0xFF) << 16) + 1;
                return new ImageHeader(Format.WEBP, w, h, 0, 0);
            }
            default -> throw new ImageException("the WebP file is corrupt: unknown first chunk '" + chunk + "'");
        }
    }

    /** The size as libheif decodes it: rotation (irot), which it applies, swaps width and height. */
    private static ImageHeader heif(byte[] b) {
        HeifBoxes boxes = HeifBoxes.read(b);
        Format format = boxes.avif() ? Format.AVIF : Format.HEIF;
        return boxes.turned()
                ? new ImageHeader(format, boxes.height(), boxes.width(), 0, 0)
                : new ImageHeader(format, boxes.width(), boxes.height(), 0, 0);
    }

    private static boolean starts(byte[] b, int... magic) {
        return startsAt(b, 0, magic);
    }

    private static boolean startsAt(byte[] b, int offset, int... magic) {
        if (b.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(byte[] b, int at, int n) {
        if (b.length < at + n) {
            throw new ArrayIndexOutOfBoundsException(at + n); // reported as a truncated header
        }
        return new String(b, at, n, StandardCharsets.ISO_8859_1);
    }

    private static int u16be(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static int u16le(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static int s32be(byte[] b, int i) {
        return u16be(b, i) << 16 | u16be(b, i + 2);
    }

    private static int s32le(byte[] b, int i) {
        return u16le(b, i) | u16le(b, i + 2) << 16;
    }
}
