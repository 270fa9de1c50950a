package pixq.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What every {@link BlobStore} must do, on blobs under a fresh prefix the adapter's test provides. */
public abstract class BlobStoreContract {
    private static final String JPEG = "image/jpeg";

    private BlobStore store;
    private String base;

    /** A store to test; called once per test. */
    protected abstract BlobStore newStore();

    /** A fresh, empty prefix URI the store may write under, ending with '/'; called once per test. */
    protected abstract String baseUri();

    private BlobStore store() {
        if (store == null) {
            store = newStore();
        }
        return store;
    }

    private String uri(String name) {
        if (base == null) {
            base = baseUri();
        }
        return base + name;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writtenBlobIsReadBack() {
        // given
        byte[] content = {(byte) 0xFF, (byte) 0xD8, 0, 1, 2, (byte) 0xFF, (byte) 0xD9};

        // when
        store().write(uri("a.jpg"), content, JPEG);

        // then
        assertArrayEquals(content, store().read(uri("a.jpg"), 1024));
    }

    @Test
    void writeReplacesTheBlob() {
        // given
        store().write(uri("a.txt"), bytes("first, and longer"), "text/plain");

        // when
        store().write(uri("a.txt"), bytes("second"), "text/plain");

        // then
        assertArrayEquals(bytes("second"), store().read(uri("a.txt"), 1024));
    }

    @Test
    void writeUnderNestedNamesNeedsNoFolderMadeFirst() {
        // when
        store().write(uri("x/y/z.png"), bytes("png"), "image/png");

        // then
        assertArrayEquals(bytes("png"), store().read(uri("x/y/z.png"), 1024));
    }

    @Test
    void readingAMissingBlobIsNotFound() {
        BlobException e = assertThrows(BlobException.NotFound.class, () -> store().read(uri("missing.jpg"), 1024));
        assertFalse(e.retryable());
    }

    @Test
    void sizeIsTheWrittenLengthAndAMissingBlobIsNotFound() {
        // given
        store().write(uri("sized/a.bin"), new byte[1234], "application/octet-stream");

        // then
        assertEquals(1234, store().size(uri("sized/a.bin")));
        assertThrows(BlobException.NotFound.class, () -> store().size(uri("sized/missing.bin")));
    }

    @Test
    void readingABlobOverTheLimitIsTooLarge() {
        // given
        store().write(uri("big.bin"), new byte[101], "application/octet-stream");

        // when / then
        BlobException e = assertThrows(BlobException.TooLarge.class, () -> store().read(uri("big.bin"), 100));
        assertFalse(e.retryable());
        assertEquals(101, store().read(uri("big.bin"), 101).length);
    }

    @Test
    void listGivesEveryBlobUnderThePrefixInNameOrder() {
        // given: '-' sorts before '/', so name order is not folder-walk order
        for (String name : List.of("in/b.jpg", "in/sub/c.jpg", "in/a.jpg", "in/sub-d.jpg", "other/e.jpg", "in.jpg")) {
            store().write(uri(name), bytes(name), JPEG);
        }

        // when
        List<String> listed = store().list(uri("in/"));

        // then
        assertEquals(List.of(uri("in/a.jpg"), uri("in/b.jpg"), uri("in/sub-d.jpg"), uri("in/sub/c.jpg")), listed);
    }

    @Test
    void listedUrisCanBeRead() {
        // given
        store().write(uri("in/a.jpg"), bytes("a"), JPEG);

        // when
        List<String> listed = store().list(uri("in/"));

        // then
        assertEquals(1, listed.size());
        assertArrayEquals(bytes("a"), store().read(listed.get(0), 1024));
    }

    @Test
    void listOfAnEmptyPrefixIsEmpty() {
        assertEquals(List.of(), store().list(uri("nothing-here/")));
    }
}
