package pixq.local;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import pixq.job.ManifestSink;

/**
 * Manifests as files in the state folder's {@code manifests/}, one per batch ({@code BATCH.jsonl}), written to
 * a temporary file and moved into place whole, so a reader never sees half of one.
 */
public final class LocalManifests implements ManifestSink {
    private final Path folder;

    public LocalManifests(Path folder) {
        this.folder = folder;
    }

    /** The batch's manifest file. */
    public Path path(String batchId) {
        return folder.resolve(ManifestSink.fileName(batchId));
    }

    @Override
    public String location(String batchId, String outputFolder) {
        return path(batchId).toAbsolutePath().toString();
    }

    @Override
    public void write(String location, Content content) throws IOException {
        Path target = Path.of(location);
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), ".writing-", ".jsonl");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
                content.writeTo(out);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
