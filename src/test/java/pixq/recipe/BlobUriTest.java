package pixq.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlobUriTest {

    @Test
    void aFileUriIsDecodedAndItsChildrenEncoded() {
        Path folder = Path.of("/out/sub dir");
        BlobUri photo = BlobUri.parse(folder.resolve("IMG 0001 (1).jpg").toUri().toString());

        assertEquals(new BlobUri.File(Path.of("/out/sub dir/IMG 0001 (1).jpg")), photo);
        assertEquals("IMG 0001 (1).jpg", photo.fileName());
        assertEquals("file:///out/sub%20dir/%C3%A9t%C3%A9%20%232.jpg",
                BlobUri.parse(folder.toUri().toString()).child("été #2.jpg").toString());
    }

    @Test
    void aChildKeepingBytesHasTheSourcesStemInItsOwnBytesAndTheSuffixInUtf8() {
        BlobUri.File latin1 = (BlobUri.File) BlobUri.parse("file:///in/caf%E9.photo.jpg");
        BlobUri.File folder = (BlobUri.File) BlobUri.parse("file:///out/sub%20dir");

        BlobUri.File child = folder.childKeepingBytes(latin1, " 1-\u00fc.png");

        assertEquals("file:///out/sub%20dir/caf%E9.photo%201-%C3%BC.png", child.toString());
    }

    @Test
    void aFileNameJoinedByHandIsTakenAsWritten() {
        assertEquals(new BlobUri.File(Path.of("/out/my photo.jpg")), BlobUri.parse("file:/out/my photo.jpg"));
        assertEquals(new BlobUri.File(Path.of("/out/my photo.jpg")), BlobUri.parse("file:///out/my photo.jpg"));
        assertEquals(new BlobUri.File(Path.of("/out/a.jpg")), BlobUri.parse("/out/../out/a.jpg"));
    }

    @Test
    void anS3KeyIsKeptAsItIs() {
        BlobUri.S3 key = BlobUri.s3("s3://in/photos/my%20photo.jpg");

        assertEquals("in", key.bucket());
        assertEquals("photos/my%20photo.jpg", key.key());
        assertEquals("my%20photo.jpg", key.fileName());
        assertEquals("s3://out/b1/x.jpg", BlobUri.parse("s3://out/b1/").child("x.jpg").toString());
        assertEquals("s3://out/b1/x.jpg", BlobUri.parse("s3://out/b1").child("x.jpg").toString());
        assertEquals("s3://out/x.jpg", BlobUri.parse("s3://out").child("x.jpg").toString());
    }

    @Test
    void otherFormsAreRefusedByName() {
        assertEquals("no bucket in s3:///key", assertThrows(IllegalArgumentException.class, () -> BlobUri.parse("s3:///key")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BlobUri.parse("https://example.com/a.jpg"))
                .getMessage().contains("https://example.com/a.jpg"));
        assertThrows(IllegalArgumentException.class, () -> BlobUri.s3("file:///out/a.jpg"));
        assertThrows(IllegalArgumentException.class, () -> BlobUri.parse(" "));
    }

    @Test
    void onlyObjectsOfTheNamedBucketsAreInThem() {
        List<String> buckets = List.of("in", "out");

        assertTrue(BlobUri.inBuckets("s3://in/a.jpg", buckets));
        assertFalse(BlobUri.inBuckets("s3://input/a.jpg", buckets));
        assertFalse(BlobUri.inBuckets("s3://inx/a.jpg", buckets));
        assertFalse(BlobUri.inBuckets("file:///in/a.jpg", buckets));
        assertFalse(BlobUri.inBuckets("gopher://in/a.jpg", buckets));
    }
}
