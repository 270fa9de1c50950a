package pixq.local;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import pixq.job.BlobException;
import pixq.job.BlobStore;
import pixq.recipe.BlobUri;

/**
 * Blobs as files. Names are {@code file:} URIs ({@code file:/a/b}, {@code file:///a/b}) or plain paths;
 * {@link #list} answers {@code file:///} URIs. Reads may come from anywhere; writes only under the output
 * root, so no output name (a {@code ../}, an absolute path, a symlinked folder) can escape it.
 */
public final class LocalFolderBlobStore implements BlobStore {
    /** The user extended attribute that records which input an output was made from. */
    private static final String SOURCE_ATTRIBUTE = "pixq.source";
    private static final String TEMP_PREFIX = ".pixq-";
    private static final String TEMP_SUFFIX = ".tmp";
    /** What Linux (and the JDK on it) says for ENOSPC. */
    private static final String NO_SPACE = "No space left on device";
    private final Path outputRoot;
    private final FileWriter writer;

    /** @param outputRoot the only folder written to (created when missing) */
    public LocalFolderBlobStore(Path outputRoot) {
        this(outputRoot, FileWriter.DISK);
    }

    /** @param writer how an output's bytes reach its (new, hidden) temp file: the disk, or a test's full disk */
    public LocalFolderBlobStore(Path outputRoot, FileWriter writer) {
        this.outputRoot = outputRoot.toAbsolutePath().normalize();
        this.writer = writer;
    }

    /** Writes a new file's bytes. */
    @FunctionalInterface
    public interface FileWriter {
        FileWriter DISK = (file, bytes) -> Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

        void write(Path file, byte[] bytes) throws IOException;
    }

    @Override
    public byte[] read(String uri, long maxBytes) {
        Path path = pathOf(uri);
        long limit = Math.min(maxBytes, Integer.MAX_VALUE - 8); // no Java array holds more
        try (InputStream in = Files.newInputStream(path)) {
            // The size comes first so a huge file is refused without reading it.
            long size = Files.size(path);
            if (size > limit) {
                throw new BlobException.TooLarge(uri, size, limit);
            }
            // Into an array of its size (readNBytes(n) gathers 8 KB pieces and copies them: twice the garbage per
            // image), then whatever it grew by while we read it, up to the limit.
            byte[] bytes = new byte[(int) size];
            int read = in.readNBytes(bytes, 0, bytes.length);
            byte[] more = in.readNBytes((int) (limit - read + 1));
            if (read + more.length > limit) {
                throw new BlobException.TooLarge(uri, read + more.length, limit);
            }
            if (read == bytes.length && more.length == 0) {
                return bytes;
            }
            byte[] all = Arrays.copyOf(bytes, read + more.length);
            System.arraycopy(more, 0, all, read, more.length);
            return all;
        } catch (NoSuchFileException e) {
            throw new BlobException.NotFound(uri);
        } catch (IOException e) {
            throw failure("cannot read " + uri, e);
        }
    }

    /**
     * Writes a hidden temp file beside the target and renames it over the target: a reader, or a rerun
     * after kill -9, sees the old file or the whole new one, never half of it. (No fsync: a rename is
     * atomic against a killed process; only a power cut could lose the last writes, which a rerun redoes.)
     */
    @Override
    public boolean write(String uri, byte[] bytes, String contentType, String source) {
        Path target = insideOutputRoot(uri);
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            checkNoLinkEscapes(uri, target.getParent());
            String other = source == null ? null : sourceOf(target);
            if (other != null && !other.equals(source)) {
                throw new BlobException.Taken(uri, other);
            }
            // Not Files.createTempFile: its files are owner-only, and outputs should get the usual umask.
            // A short name: the target's own name may already use all 255 bytes a file name may have.
            temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID() + TEMP_SUFFIX);
            writer.write(temp, bytes);
            recordSource(temp, source);
            boolean existed = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return existed;
        } catch (IOException e) {
            throw failure("cannot write " + uri, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /**
     * Deletes the temp files a killed writer left under the output root: those last written before
     * {@code writtenBefore} (the start of this process; a live write takes moments), so a write in progress is
     * never pulled from under its rename. Returns how many it deleted.
     */
    public int removeLeftovers(Instant writtenBefore) {
        if (!Files.isDirectory(outputRoot)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(outputRoot)) {
            List<Path> stale = files.filter(p -> isTemp(p.getFileName().toString()) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> lastModified(p).isBefore(writtenBefore)).toList();
            stale.forEach(LocalFolderBlobStore::deleteQuietly);
            return stale.size();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw failure("cannot look for leftover temp files in " + outputRoot, e);
        }
    }

    private static boolean isTemp(String name) {
        return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
    }

    private static Instant lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
        } catch (IOException e) {
            return Instant.MAX; // gone meanwhile: nothing to delete
        }
    }

    /** The source recorded on a file (a user extended attribute), or null: none, no file, or no such attributes here. */
    private static String sourceOf(Path file) {
        UserDefinedFileAttributeView attributes = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        try {
            if (attributes == null || !Files.exists(file) || !attributes.list().contains(SOURCE_ATTRIBUTE)) {
                return null;
            }
            ByteBuffer value = ByteBuffer.allocate(attributes.size(SOURCE_ATTRIBUTE));
            attributes.read(SOURCE_ATTRIBUTE, value);
            return new String(value.array(), 0, value.position(), StandardCharsets.UTF_8);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static void recordSource(Path file, String source) {
        UserDefinedFileAttributeView attributes = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        if (source == null || attributes == null) {
            return;
        }
        try {
            attributes.write(SOURCE_ATTRIBUTE, ByteBuffer.wrap(source.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | UnsupportedOperationException e) {
            // a file system without user attributes: the output is written, its source not recorded
        }
    }

    @Override
    public Optional<Stat> stat(String uri) {
        Path path = pathOf(uri);
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return Optional.of(new Stat(attributes.size(), version(attributes)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("cannot read the attributes of " + uri, e);
        }
    }

    /** A file's version, as {@link #stat} gives it. */
    public static String version(Path file) {
        try {
            return version(Files.readAttributes(file, BasicFileAttributes.class));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Size and modification time: any ordinary write changes one of them, and the changed file is new work. */
    private static String version(BasicFileAttributes attributes) {
        return attributes.size() + ":" + attributes.lastModifiedTime();
    }

    /** Every file under the prefix (a folder, or one file), recursive, in name order, hidden files skipped. */
    @Override
    public List<String> list(String prefixUri) {
        Path prefix = pathOf(prefixUri);
        if (Files.isRegularFile(prefix)) {
            return List.of(prefix.toUri().toString());
        }
        if (!Files.isDirectory(prefix)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(prefix)) {
            // Sorting the '/'-joined relative names gives S3's order: "sub-d" before "sub/c".
            return files.filter(Files::isRegularFile)
                    .filter(p -> !isHidden(prefix.relativize(p)))
                    .map(p -> new Entry(prefix.relativize(p).toString().replace(File.separatorChar, '/'), p))
                    .sorted((a, b) -> a.name.compareTo(b.name))
                    .map(e -> e.path.toUri().toString())
                    .toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw failure("cannot list " + prefixUri, e);
        }
    }

    private record Entry(String name, Path path) {}

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** A {@code file:} URI or a plain path; a {@code file:} name that is not a valid URI is taken literally. */
    public static Path pathOf(String uri) {
        BlobUri at;
        try {
            at = BlobUri.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new BlobException(e.getMessage(), false, null);
        }
        if (at instanceof BlobUri.File file) {
            return file.path();
        }
        throw new BlobException("not a local file: " + uri, false, null);
    }

    private Path insideOutputRoot(String uri) {
        Path target = pathOf(uri);
        if (!target.startsWith(outputRoot) || target.equals(outputRoot)) {
            throw new BlobException("refused to write " + uri + ": outside the output folder " + outputRoot, false, null);
        }
        return target;
    }

    /** A symlinked folder inside the root could still point outside it: compare real paths. */
    private void checkNoLinkEscapes(String uri, Path folder) throws IOException {
        Files.createDirectories(outputRoot);
        if (!folder.toRealPath().startsWith(outputRoot.toRealPath())) {
            throw new BlobException("refused to write " + uri + ": its folder links outside the output folder " + outputRoot, false, null);
        }
    }

    private static BlobException failure(String what, Exception e) {
        if (noSpace(e)) {
            return new BlobException.NoSpace(what + " (" + NO_SPACE + ")", e);
        }
        // A permission error will not heal by itself; other I/O trouble (a full disk, a busy share) may.
        return new BlobException(what + ": " + e.getMessage(), !(e instanceof AccessDeniedException), e);
    }

    /** ENOSPC: a write's plain IOException says it as its message, a file operation's FileSystemException as its reason. */
    private static boolean noSpace(Exception e) {
        String said = e instanceof FileSystemException fs ? fs.getReason() : e.getMessage();
        return NO_SPACE.equals(said);
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // a stray hidden temp file is harmless: list() skips it
        }
    }
}
