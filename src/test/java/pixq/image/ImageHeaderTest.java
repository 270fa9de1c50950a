package pixq.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pixq.image.Images.anImage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pixq.image.ImageHeader.Format;

class ImageHeaderTest {
    private static void assertHeader(byte[] bytes, Format format, int w, int h) {
        ImageHeader header = ImageHeader.read(bytes);
        assertEquals(format, header.format());
        assertEquals(w, header.width());
        assertEquals(h, header.height());
    }

    @Test
    void readsTheSizeOfEveryFormatFromItsHeader() {
        Images img = anImage(37, 23).quadrants();
        assertHeader(img.jpeg(), Format.JPEG, 37, 23);
        assertHeader(img.progressiveJpeg(), Format.JPEG, 37, 23);
        assertHeader(img.png(), Format.PNG, 37, 23);
        assertHeader(img.gif(), Format.GIF, 37, 23);
        assertHeader(img.bmp(), Format.BMP, 37, 23);
        assertHeader(img.tiff(), Format.TIFF, 37, 23);
        assertHeader(img.webp(), Format.WEBP, 37, 23); // lossless: VP8L
        assertHeader(encode(img, ".webp", 80), Format.WEBP, 37, 23); // lossy: VP8
        assertHeader(encode(anImage(37, 23).halfTransparent(), ".webp", 80), Format.WEBP, 37, 23); // alpha: VP8X
    }

    @Test
    void aProgressiveJpegCountsTheCoefficientsItsDecodeHoldsWhole(@TempDir Path dir) throws Exception {
        // ImageMagick's files: 4:2:0 (chroma one block per 16×16 pixels) and 4:4:4, progressive and baseline
        ExternalTools.magick(dir, "-size", "1000x800", "gradient:red-blue", "-interlace", "JPEG", "-sampling-factor", "2x2", "p420.jpg");
        ExternalTools.magick(dir, "-size", "1000x800", "gradient:red-blue", "-interlace", "JPEG", "-sampling-factor", "1x1", "p444.jpg");
        ExternalTools.magick(dir, "-size", "1000x800", "gradient:red-blue", "-interlace", "none", "b.jpg");
        long luma = 125L * 100 * 64 * 2;
        long chroma420 = 63L * 50 * 64 * 2;
        assertEquals(luma + 2 * chroma420, ImageHeader.read(Files.readAllBytes(dir.resolve("p420.jpg"))).coefficientBytes());
        assertEquals(3 * luma, ImageHeader.read(Files.readAllBytes(dir.resolve("p444.jpg"))).coefficientBytes());
        assertEquals(0, ImageHeader.read(Files.readAllBytes(dir.resolve("b.jpg"))).coefficientBytes());
    }

    @Test
    void jpegComponentsTellGrayFromColour() {
        assertEquals(1, ImageHeader.read(anImage(8, 8).gray().jpeg()).components());
        assertEquals(3, ImageHeader.read(anImage(8, 8).jpeg()).components());
    }

    @Test
    void theFormatComesFromTheBytesNotTheName() {
        byte[] png = anImage(5, 5).png();
        assertEquals(Format.PNG, ImageHeader.read(png).format());
        ImageException e = assertThrows(ImageException.class, () -> ImageHeader.read("GIF-ish? no".getBytes()));
        assertTrue(e.getMessage().contains("not an image"), e.getMessage());
    }

    @Test
    void aHeaderCutShortIsTruncatedNotACrash() {
        byte[] png = anImage(5, 5).png();
        ImageException e = assertThrows(ImageException.class, () -> ImageHeader.read(Arrays.copyOf(png, 14)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        byte[] jpeg = anImage(5, 5).jpeg();
        assertTrue(assertThrows(ImageException.class, () -> ImageHeader.read(Arrays.copyOf(jpeg, 30)))
                .getMessage().contains("truncated"));
    }

    @Test
    void anIsoMediaFileThatIsNoStillImageIsNamedForWhatItIs() {
        byte[] mp4 = {0, 0, 0, 20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'm', 'p', '4', '1'};
        String message = assertThrows(ImageException.class, () -> ImageHeader.read(mp4)).getMessage();
        assertTrue(message.contains("brand 'isom'") && message.contains("not a HEIC or AVIF still image"), message);
    }

    @Test
    void aHeicCutInsideItsBoxesIsTruncatedNotACrash() {
        byte[] heic = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0, 'm', 'i', 'f', '1', 'h', 'e', 'i', 'c',
            0, 0, 1, 0, 'm', 'e', 't', 'a', 0, 0};
        String message = assertThrows(ImageException.class, () -> ImageHeader.read(heic)).getMessage();
        assertTrue(message.contains("truncated"), message);
    }

    private static byte[] encode(Images img, String ext, int quality) {
        try (BytePointer buf = new BytePointer(); IntPointer p = new IntPointer(opencv_imgcodecs.IMWRITE_WEBP_QUALITY, quality)) {
            opencv_imgcodecs.imencode(ext, img.mat(), buf, p);
            byte[] b = new byte[(int) buf.limit()];
            buf.get(b);
            return b;
        }
    }
}
