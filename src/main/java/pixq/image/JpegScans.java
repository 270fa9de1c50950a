package pixq.image;

import java.io.ByteArrayOutputStream;

/**
 * A progressive JPEG cut down to the scans a 1/8-scale decode reads. At 1/8 libjpeg turns each 8×8 block of a
 * component into one pixel from its DC coefficient alone, so that component's AC scans (most of the file: 68–76 % of
 * the bytes of the corpus's progressive photos that fit 256 decodes at 1/8) are decoded for nothing. Left out, the
 * decoder makes the same pixels 2–3× sooner. A chroma component libjpeg enlarges by its DCT instead of upsampling (4:2:0 chroma at 1/8 goes
 * through a 2×2 DCT) keeps its AC scans.
 * Anything this reader does not expect (a baseline or arithmetic-coded file, a truncated one, a marker out of place)
 * leaves the file as it is: the decoder then reads it, or says what is wrong with it.
 */
final class JpegScans {
    private JpegScans() {}

    /** The file with the AC scans a 1/8-scale decode does not read left out; the file itself when there are none. */
    static byte[] forEighthScale(byte[] jpeg) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream(jpeg.length);
        kept.write(jpeg, 0, 2); // SOI
        int[][] components = null; // id of each, and whether a 1/8 decode reads its AC
        boolean dropped = false;
        boolean scanned = false;
        int i = 2;
        while (i + 1 < jpeg.length) {
            if ((jpeg[i] & 0xFF) != 0xFF) {
                return jpeg;
            }
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++; // a fill byte before the marker
                continue;
            }
            if (marker == 0xD9 && scanned) {
                kept.write(jpeg, i, 2);
                return dropped ? kept.toByteArray() : jpeg;
            }
            if (marker == 0xD9 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8) || i + 4 > jpeg.length) {
                return jpeg; // an end before any scan, a standalone marker out of place, a cut header
            }
            int length = u16(jpeg, i + 2); // the segment's, its two length bytes included
            int end = i + 2 + length;
            if (length < 2 || end > jpeg.length) {
                return jpeg;
            }
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            boolean keep = true;
            if (sof) {
                if (marker != 0xC2 || components != null || length < 8 || length != 8 + 3 * (jpeg[i + 9] & 0xFF)) {
                    return jpeg; // only Huffman-coded progressive files, of one frame, whose header adds up
                }
                components = components(jpeg, i + 4);
            } else if (marker == 0xDA) {
                if (components == null || length < 6 || length != 6 + 2 * (jpeg[i + 4] & 0xFF)) {
                    return jpeg;
                }
                keep = !dcOnlyAcScan(jpeg, i + 4, components);
                scanned = true;
                end = entropyEnd(jpeg, end);
            } else if (marker == 0xDC) {
                return jpeg; // DNL: the height comes after the first scan
            }
            if (keep) {
                kept.write(jpeg, i, end - i);
            }
            dropped |= !keep;
            i = end;
        }
        return jpeg; // truncated: no EOI
    }

    /**
     * SOF's components (at offset the precision byte): each one's id, and 1 where a 1/8-scale decode reads its AC
     * coefficients too, else 0. libjpeg(-turbo) enlarges a subsampled component by its DCT, up to 2× here, wherever
     * the image's largest sampling factors are each a multiple of twice the component's (jdmaster.c); any other
     * component comes out of a 1×1 DCT, from its DC alone.
     */
    private static int[][] components(byte[] jpeg, int offset) {
        int n = jpeg[offset + 5] & 0xFF;
        int maxH = 1;
        int maxV = 1;
        for (int c = 0; c < n; c++) {
            int sampling = jpeg[offset + 7 + 3 * c] & 0xFF;
            maxH = Math.max(maxH, sampling >> 4);
            maxV = Math.max(maxV, sampling & 0x0F);
        }
        int[][] components = new int[n][];
        for (int c = 0; c < n; c++) {
            int at = offset + 6 + 3 * c;
            int h = (jpeg[at + 1] & 0xFF) >> 4;
            int v = jpeg[at + 1] & 0x0F;
            boolean enlargedByDct = h > 0 && v > 0 && maxH % (2 * h) == 0 && maxV % (2 * v) == 0;
            components[c] = new int[] {jpeg[at] & 0xFF, enlargedByDct ? 1 : 0};
        }
        return components;
    }

    /**
     * Whether the scan whose header starts at offset (its component count) carries AC coefficients only of
     * components that a 1/8-scale decode reads the DC of ({@link #components}).
     */
    private static boolean dcOnlyAcScan(byte[] jpeg, int offset, int[][] components) {
        int count = jpeg[offset] & 0xFF;
        int spectralStart = jpeg[offset + 1 + 2 * count] & 0xFF;
        if (spectralStart == 0) {
            return false;
        }
        for (int s = 0; s < count; s++) {
            int id = jpeg[offset + 1 + 2 * s] & 0xFF;
            boolean found = false;
            for (int[] c : components) {
                if (c[0] == id) {
                    found = true;
                    if (c[1] == 1) {
                        return false;
                    }
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /** Where a scan's entropy-coded data ends: the first marker that is not a restart, from its first byte. */
    private static int entropyEnd(byte[] jpeg, int from) {
        int i = from;
        while (i + 1 < jpeg.length) {
            if ((jpeg[i] & 0xFF) == 0xFF) {
                int next = jpeg[i + 1] & 0xFF;
                if (next != 0 && !(next >= 0xD0 && next <= 0xD7) && next != 0xFF) {
                    return i;
                }
            }
            i++;
        }
        return jpeg.length;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }
}
