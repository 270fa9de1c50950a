package pixq.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void statAnswersForTheExactNameOnly() {
        // given
        store().write(uri("dir/a b.jpg"), bytes("x"), JPEG);

        // then
        assertTrue(store().stat(uri("dir/a b.jpg")).isPresent());
        assertFalse(store().stat(uri("dir/a")).isPresent());
        assertFalse(store().stat(uri("dir/missing.jpg")).isPresent());
    }

    @Test
    void aBlobMadeFromOneSourceIsReplacedFromThatSourceOnlyNamingTheOther() {
        // given an output made from photo.jpg
        String first = "s3://in/été/photo.jpg";
        assertFalse(store().write(uri("photo-thumb.jpg"), bytes("from jpg"), JPEG, first), "nothing was there to replace");

        // when photo.png's output has the same name
        BlobException refused = assertThrows(BlobException.class,
                () -> store().write(uri("photo-thumb.jpg"), bytes("from png"), JPEG, "s3://in/été/photo.png"));

        // then it is refused for good, naming the other input, and the blob is unchanged
        assertFalse(refused.retryable());
        assertTrue(refused.getMessage().contains("made from " + first), refused.getMessage());
        assertArrayEquals(bytes("from jpg"), store().read(uri("photo-thumb.jpg"), 100));
        // while the same source (a new version of photo.jpg, a rerun) replaces it, and says so
        assertTrue(store().write(uri("photo-thumb.jpg"), bytes("from jpg, again"), JPEG, first), "replaced");
        assertArrayEquals(bytes("from jpg, again"), store().read(uri("photo-thumb.jpg"), 100));
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
    void statSizeIsTheWrittenLength() {
        // given
        store().write(uri("sized/a.bin"), new byte[1234], "application/octet-stream");

        // then
        assertEquals(1234, store().stat(uri("sized/a.bin")).orElseThrow().size());
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

    @Test
    void aVersionNamesWhatIsStoredAndChangesWithIt() {
        // given
        store().write(uri("v.jpg"), bytes("x"), JPEG);
        String first = version(uri("v.jpg"));

        // when
        store().write(uri("v.jpg"), bytes("yy"), JPEG);

        // then
        assertTrue(first != null && !first.isBlank(), first);
        assertFalse(first.equals(version(uri("v.jpg"))));
        assertTrue(store().stat(uri("none.jpg")).isEmpty());
    }

    @Test
    void pagesGoOnWhereTheLastEndedWithEachVersion() {
        // given
        for (String name : List.of("p/a.jpg", "p/b.jpg", "p/c.jpg")) {
            store().write(uri(name), bytes(name), JPEG);
        }

        // when
        BlobStore.Page first = store().page(uri("p/"), null, 2);
        BlobStore.Page second = store().page(uri("p/"), first.blobs().get(1).uri(), 2);

        // then
        assertEquals(List.of(uri("p/a.jpg"), uri("p/b.jpg")), first.blobs().stream().map(BlobStore.Listed::uri).toList());
        assertTrue(first.more());
        assertEquals(List.of(uri("p/c.jpg")), second.blobs().stream().map(BlobStore.Listed::uri).toList());
        assertFalse(second.more());
        assertEquals(version(uri("p/c.jpg")), second.blobs().get(0).version());
    }

    private String version(String uri) {
        return store().stat(uri).orElseThrow().version();
    }
}
