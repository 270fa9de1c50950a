package pixq.image;

import pixq.recipe.Operation.Resize;

/**
 * The first stage: reads an image's header (format and size, no pixel decoded) and applies the limits, so a
 * bomb, an oversized file or a truncated one is refused before any decoder runs.
 */
final class Intake {
    private final EngineConfig config;

    Intake(EngineConfig config) {
        this.config = config;
    }

    /** Reads the header and applies the size and pixel limits. */
    ImageHeader checked(byte[] bytes) {
        checkBytes(bytes);
        ImageHeader h = ImageHeader.read(bytes);
        String format = h.format().name();
        if (h.width() <= 0 || h.height() <= 0 || h.width() > Resize.MAX_SIDE || h.height() > Resize.MAX_SIDE) {
            throw new ImageException("the " + format + " header claims an impossible size of " + h.width() + "×" + h.height());
        }
        long pixels = (long) h.width() * h.height();
        if (pixels > config.maxPixels()) {
            throw new ImageException(String.format("the image is %d×%d = %s MP, over the %s MP limit: refused before decoding",
                    h.width(), h.height(), megapixels(pixels), megapixels(config.maxPixels())));
        }
        if (h.format() == ImageHeader.Format.JPEG && !hasMarkerAfter(bytes, h.dataStart(), 0xD9)) {
            throw new ImageException("the JPEG file is truncated: its image data stops before the end-of-image marker");
        }
        if (h.format() == ImageHeader.Format.PNG && !hasPngEnd(bytes)) {
            throw new ImageException("the PNG file is truncated: it has no IEND chunk");
        }
        return h;
    }

    /** The input's extension for a command; a command may take what pixq cannot read (a RAW file, say). */
    String sniffedExtension(byte[] bytes, boolean commandFirst) {
        if (!commandFirst) {
            return extension(checked(bytes));
        }
        checkBytes(bytes);
        try {
            return extension(ImageHeader.read(bytes));
        } catch (ImageException notAnImage) {
            return ".bin";
        }
    }

    static String extension(ImageHeader h) {
        return switch (h.format()) {
            case JPEG -> ".jpg";
            case PNG -> ".png";
            case GIF -> ".gif";
            case BMP -> ".bmp";
            case TIFF -> ".tif";
            case WEBP -> ".webp";
            case HEIF -> ".heic";
            case AVIF -> ".avif";
        };
    }

    private void checkBytes(byte[] bytes) {
        if (bytes.length > config.maxBytes()) {
            throw new ImageException("the file is " + bytes.length + " bytes, over the limit of " + config.maxBytes() + " bytes");
        }
    }

    static String megapixels(long pixels) {
        double mp = pixels / 1e6;
        return mp == Math.rint(mp) ? String.valueOf((long) mp) : String.format("%.1f", mp);
    }

    /** 0xFF followed by marker anywhere from {@code from}: entropy-coded data escapes 0xFF, so this is the real one. */
    private static boolean hasMarkerAfter(byte[] b, int from, int marker) {
        for (int i = b.length - 2; i >= from; i--) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == marker) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasPngEnd(byte[] b) {
        for (int i = b.length - 4; i >= 8; i--) {
            if (b[i] == 'I' && b[i + 1] == 'E' && b[i + 2] == 'N' && b[i + 3] == 'D') {
                return true;
            }
        }
        return false;
    }
}
