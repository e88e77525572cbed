package io.keyhole.tree;

import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Writes files into a {@link HashedTree} so that no reader ever sees half a file, and no two
 * uploads ever end up under one id.
 *
 * <p>A store computes the id ({@link FileIds}), writes the content to a temporary file in the
 * directory the id belongs in, flushes it to disk, and then gives it its name with a hard link,
 * which fails when the name exists: so taking an id is atomic, and a store that finds its id
 * taken moves on to {@code id.0}, {@code id.1}, ... Finally the directory is flushed and the
 * temporary name removed. A store that fails, for whatever reason, removes what it wrote; a
 * process that dies mid-write leaves only its temporary file, which {@link #check()} reports and
 * {@link #cleanup()} removes. Size, ETag and upload date are computed while writing.
 *
 * <p>Thread-safe; any number of stores may run at once, in this process and in others, on the
 * same tree. Build one with {@link #builder(HashedTree)}.
 */
public final class FileStore implements Store {

    /** How far {@code .N} counting goes before giving up: far beyond any real run of collisions. */
    static final int MAX_COUNTER = 100_000;

    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int ETAG_BYTES = 16;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final HashedTree tree;
    private final FileIds ids;
    private final Clock clock;
    private final long maxSize;

    /** Cleared on the first file system that cannot make hard links (see {@link #claim}). */
    private volatile boolean hardLinks = true;

    private FileStore(Builder builder) {
        this.tree = builder.tree;
        this.clock = builder.clock != null ? builder.clock : Clock.systemUTC();
        this.ids = new FileIds(builder.instance != null ? builder.instance : FileIds.defaultInstance(), clock);
        this.maxSize = builder.maxSize != null ? builder.maxSize : Long.MAX_VALUE;
    }

    /** Claims ids as on a file system without hard links, as {@link #claim} does once it meets one. */
    void disableHardLinks() {
        hardLinks = false;
    }

    /** A builder for a store on {@code tree}. */
    public static Builder builder(HashedTree tree) {
        return new Builder(tree);
    }

    /** The tree written to. */
    public HashedTree tree() {
        return tree;
    }

    /** The instance name that goes into every id. */
    public String instance() {
        return ids.instance();
    }

    /** For log lines: {@code tree /srv/files}. */
    @Override
    public String toString() {
        return "tree " + tree.root();
    }

    /** The largest file accepted, in bytes ({@link Long#MAX_VALUE} when unlimited). */
    public long maxSize() {
        return maxSize;
    }

    /**
     * Stores {@code content} (read to its end; not closed) under a new id.
     *
     * @return the id and metadata to record where the authorisation backend finds them
     * @throws FileTooLargeException when the content exceeds {@link #maxSize()}
     * @throws IOException           when reading or writing fails, or the tree's root does not exist;
     *                               nothing is left behind
     */
    @Override
    public StoredMetadata store(InputStream content, Upload upload) throws IOException {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(upload, "upload");
        FileId base = ids.newId(upload.filename(), upload.user());
        Path dir = tree.pathOf(base).getParent();
        ensureDirectory(dir);
        try (TempFile temp = TempFile.create(dir)) {
            Written written = write(content, temp, upload);
            FileId id = claim(base, temp);
            try {
                Files.deleteIfExists(temp.path());
                Disk.syncDirectory(dir);
            } catch (IOException | RuntimeException e) {
                // Not durable, so not stored: take the name back rather than return an id the
                // caller would record for a file that a power cut could lose.
                deleteQuietly(tree.pathOf(id), e);
                throw e;
            }
            return metadata(id, written, upload);
        }
    }

    /**
     * Stores a copy of the file at {@code source} under a new id; the source is left as it is.
     *
     * @throws FileTooLargeException before writing anything when the source exceeds {@link #maxSize()}
     * @see #store(InputStream, Upload)
     */
    public StoredMetadata store(Path source, Upload upload) throws IOException {
        checkSourceSize(source, upload);
        try (InputStream in = Files.newInputStream(source)) {
            return store(in, upload);
        }
    }

    /**
     * Replaces the content of the file {@code id} in one step: readers see the old file or the
     * new one, never a mix. The metadata returned is the new content's; the id stays.
     *
     * <p>A replace that runs at the same time as a {@link #delete} of the same id may bring the
     * file back; callers that allow both serialise them.
     *
     * @throws NoSuchFileException   when there is no file {@code id} (nothing is read from {@code content})
     * @throws FileTooLargeException when the content exceeds {@link #maxSize()}; the old file stays
     */
    public StoredMetadata replace(FileId id, InputStream content, Upload upload) throws IOException {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(upload, "upload");
        Path target = tree.pathOf(id);
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(target.toString(), null,
                    "no file with id " + id + " in " + tree.root() + " to replace; store it first");
        }
        try (Replacement replacement = prepareReplacement(id, content, upload)) {
            replacement.commit();
            return replacement.metadata();
        }
    }

    /**
     * The first half of a replace: the new content of {@code id} written and flushed beside it,
     * not yet in its place, so that someone may still say no. {@link Replacement#commit()} puts it
     * in place in one step; closing an uncommitted replacement discards it. Nothing is checked
     * about the file {@code id} itself until the commit.
     *
     * @throws NoSuchFileException   when the directory of {@code id} does not exist
     * @throws FileTooLargeException when the content exceeds {@link #maxSize()}; nothing is left
     */
    public Replacement prepareReplacement(FileId id, InputStream content, Upload upload) throws IOException {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(upload, "upload");
        Path target = tree.pathOf(id);
        TempFile temp = TempFile.create(target.getParent());
        try {
            Written written = write(content, temp, upload);
            return new Replacement(target, temp, metadata(id, written, upload));
        } catch (IOException | RuntimeException e) {
            try {
                temp.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** New content for an existing file, written beside it and waiting for {@link #commit()}. Not thread-safe. */
    public static final class Replacement implements java.io.Closeable {
        private final Path target;
        private final TempFile temp;
        private final StoredMetadata metadata;

        private Replacement(Path target, TempFile temp, StoredMetadata metadata) {
            this.target = target;
            this.temp = temp;
            this.metadata = metadata;
        }

        /** What the new content is: the id stays, size, tag and date are the new content's. */
        public StoredMetadata metadata() {
            return metadata;
        }

        /**
         * Puts the new content in place: readers see the old file or the new one, never a mix.
         *
         * @throws NoSuchFileException when there is no file to replace (any more); the new content is discarded
         */
        public void commit() throws IOException {
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(target.toString(), null, "no file to replace");
            }
            // rename(2) replaces the target in one step; the lock moves along with the file.
            Files.move(temp.path(), target, StandardCopyOption.ATOMIC_MOVE);
            Disk.syncDirectory(target.getParent());
        }

        /** Discards the new content unless it was committed. */
        @Override
        public void close() throws IOException {
            temp.close();
        }
    }

    /**
     * Gives the stored file {@code from} the name {@code to} instead, e.g. a pack member's; the
     * name {@code to} is taken only when free, as a store takes its id.
     *
     * @throws FileAlreadyExistsException when {@code to} exists; {@code from} stays
     */
    public void rename(FileId from, FileId to) throws IOException {
        Path source = tree.pathOf(from);
        Path target = tree.pathOf(to);
        ensureDirectory(target.getParent());
        if (takeName(target, source)) {
            Files.delete(source);
            Disk.syncDirectory(source.getParent());
        }
        Disk.syncDirectory(target.getParent());
    }

    /** Replaces the file {@code id} with a copy of {@code source}; see {@link #replace(FileId, InputStream, Upload)}. */
    public StoredMetadata replace(FileId id, Path source, Upload upload) throws IOException {
        checkSourceSize(source, upload);
        try (InputStream in = Files.newInputStream(source)) {
            return replace(id, in, upload);
        }
    }

    /**
     * Deletes the file {@code id}.
     *
     * @return whether there was such a file
     * @throws IOException when the id names a directory (the tree is damaged), or deleting fails
     */
    @Override
    public boolean delete(FileId id) throws IOException {
        Path target = tree.pathOf(id);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (attributes.isDirectory()) {
            throw new IOException(target + " is a directory, not a stored file; the tree is damaged"
                    + " (keyhole fsck lists what is out of place)");
        }
        if (!Files.deleteIfExists(target)) {
            return false;
        }
        Disk.syncDirectory(target.getParent());
        return true;
    }

    /** Creates every directory of the tree ({@link HashedTree#create()}). */
    @Override
    public String create() throws IOException {
        long created = tree.create();
        return "created " + created + " director" + (created == 1 ? "y" : "ies") + " in " + tree.root()
                + " (depth " + tree.depth() + ")";
    }

    /**
     * Walks the whole tree and lists what does not belong: files that are no ids, ids in the
     * wrong directory, and temporary files of stores that died. Temporary files of stores still
     * running are counted, not reported. Changes nothing.
     *
     * @throws NoSuchFileException when the root does not exist
     */
    public TreeCheck check() throws IOException {
        return new TreeChecker(tree).check();
    }

    /**
     * {@link #check()}, and with {@code expectMeta} also every file without its {@code .meta}
     * beside it (a tree served with {@code request-type=internal}). Metadata whose file is gone
     * is reported either way.
     */
    @Override
    public TreeCheck check(boolean expectMeta) throws IOException {
        return new TreeChecker(tree, expectMeta).check();
    }

    /**
     * Removes the temporary files left by stores that died (a crash, a kill, a power cut), and
     * nothing else: a temporary file is removed only when no process holds its lock, and a
     * store holds it for as long as it writes. Safe to run at any time, e.g. at start-up or from
     * cron ({@code keyhole fsck --repair}).
     *
     * Metadata whose file is gone ({@link TreeProblem.Kind#ORPHAN_META}) is removed too.
     *
     * @return the removed files, as {@link TreeProblem.Kind#LEFTOVER_TEMP_FILE} or
     *         {@link TreeProblem.Kind#ORPHAN_META} problems
     */
    @Override
    public List<TreeProblem> cleanup() throws IOException {
        List<TreeProblem> removed = new ArrayList<>();
        for (TreeProblem problem : check().problems()) {
            if (problem.kind() == TreeProblem.Kind.LEFTOVER_TEMP_FILE
                    && TempFile.removeIfLeftover(problem.path()) == TempFile.State.LEFTOVER) {
                removed.add(problem);
            } else if (problem.kind() == TreeProblem.Kind.ORPHAN_META && Files.deleteIfExists(problem.path())) {
                // An upload writes its file before its metadata and a delete removes the metadata first,
                // so metadata without a file is never a write in progress.
                removed.add(problem);
            }
        }
        if (!removed.isEmpty()) {
            for (Path dir : removed.stream().map(p -> p.path().getParent()).distinct().toList()) {
                Disk.syncDirectory(dir);
            }
        }
        return removed;
    }

    /** What was written: size and content hash. */
    private record Written(long size, String etag, Instant uploadDate) {
    }

    private Written write(InputStream content, TempFile temp, Upload upload) throws IOException {
        MessageDigest digest = sha256();
        FileChannel channel = temp.channel();
        byte[] buffer = new byte[BUFFER_SIZE];
        ByteBuffer wrapped = ByteBuffer.wrap(buffer);
        long size = 0;
        for (int n; (n = content.read(buffer)) != -1; ) {
            size += n;
            if (size > maxSize) {
                throw new FileTooLargeException(upload.filename(), maxSize);
            }
            digest.update(buffer, 0, n);
            wrapped.clear().limit(n);
            while (wrapped.hasRemaining()) {
                channel.write(wrapped);
            }
        }
        Instant uploadDate = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        // The modification time says the same as upload_date, for servers that fall back on stat.
        Files.setLastModifiedTime(temp.path(), FileTime.from(uploadDate));
        channel.force(true);
        return new Written(size, etagOf(digest.digest()), uploadDate);
    }

    /**
     * Gives the temp file the first free name of {@code base}, {@code base.0}, {@code base.1}, ...
     * A hard link is made only when the name is free, so two stores can never take the same one.
     * File systems without hard links get a placeholder created exclusively and then replaced by
     * a rename: just as exclusive, but a crash between the two leaves an empty file at that id.
     */
    private FileId claim(FileId base, TempFile temp) throws IOException {
        for (int n = -1; n < MAX_COUNTER; n++) {
            FileId candidate = n < 0 ? base : FileIds.withCounter(base, n);
            Path target = tree.pathOf(candidate);
            try {
                takeName(target, temp.path());
                return candidate;
            } catch (FileAlreadyExistsException e) {
                // taken: try the next counter
            }
        }
        throw new IOException("cannot store: " + base + " and " + base + ".0 to ." + (MAX_COUNTER - 1)
                + " are all taken in " + tree.pathOf(base).getParent() + "; is the clock standing still?");
    }

    /**
     * Gives {@code source} the name {@code target}, only when that name is free: a hard link, or on
     * file systems without them an exclusive placeholder replaced by a rename.
     *
     * @return whether {@code source} still exists (it was linked, not moved)
     * @throws FileAlreadyExistsException when the name is taken
     */
    private boolean takeName(Path target, Path source) throws IOException {
        if (hardLinks) {
            try {
                Files.createLink(target, source);
                return true;
            } catch (UnsupportedOperationException e) {
                hardLinks = false;
            } catch (FileAlreadyExistsException e) {
                throw e;
            } catch (FileSystemException e) {
                if (!cannotLink(e)) {
                    throw e;
                }
                hardLinks = false;
            }
        }
        Files.createFile(target);
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(target, e);
            throw e;
        }
        return false;
    }

    /** Whether linking failed because the file system has no hard links (FAT, some FUSE and network mounts). */
    private static boolean cannotLink(FileSystemException e) {
        String reason = e.getReason();
        return reason != null && (reason.contains("not supported") || reason.contains("not permitted"));
    }

    private StoredMetadata metadata(FileId id, Written written, Upload upload) {
        return new StoredMetadata(id, written.size(), written.etag(), written.uploadDate(),
                upload.effectiveContentType(), upload.filename(), upload.disposition());
    }

    private void checkSourceSize(Path source, Upload upload) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(upload, "upload");
        if (Files.size(source) > maxSize) {
            throw new FileTooLargeException(upload.filename(), maxSize);
        }
    }

    /**
     * Creates the id's directory and any missing one above it (a tree need not be made up front),
     * each flushed into its parent. The root itself must exist: a missing root is more likely a
     * wrong setting than an empty tree.
     */
    private void ensureDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path root = tree.root();
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null,
                    "the tree's root is not a directory; create the tree first (keyhole init, or HashedTree.create())");
        }
        Path current = root;
        for (Path name : root.relativize(dir)) {
            Path next = current.resolve(name.toString());
            try {
                Files.createDirectory(next);
                Disk.syncDirectory(current);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(next)) {
                    throw new IOException("cannot store below " + next + ": it is a file, not a directory"
                            + " (keyhole fsck lists what is out of place)", e);
                }
            }
            current = next;
        }
    }

    /**
     * A stored file's ETag: the first 16 bytes of its SHA-256 in hex, plenty against collisions
     * and the length of the seed's tags. The same for every {@link Store}.
     */
    public static String etagOf(byte[] sha256) {
        char[] out = new char[ETAG_BYTES * 2];
        for (int i = 0; i < ETAG_BYTES; i++) {
            out[2 * i] = HEX[(sha256[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[sha256[i] & 0xf];
        }
        return new String(out);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static void deleteQuietly(Path path, Exception cause) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Settings of a {@link FileStore}. Each may be set once; values out of range are rejected
     * with a message naming the setting.
     */
    public static final class Builder {

        private final HashedTree tree;
        private Clock clock;
        private String instance;
        private Long maxSize;

        private Builder(HashedTree tree) {
            this.tree = Objects.requireNonNull(tree, "tree");
        }

        /** The clock for ids and upload dates (default: the system clock, UTC). */
        public Builder clock(Clock clock) {
            Objects.requireNonNull(clock, "clock");
            requireUnset(this.clock, "clock");
            this.clock = clock;
            return this;
        }

        /**
         * The application instance's name, part of every id (default
         * {@link FileIds#defaultInstance()}). Give each machine writing to a shared tree its own.
         */
        public Builder instance(String instance) {
            Objects.requireNonNull(instance, "instance");
            requireUnset(this.instance, "instance");
            this.instance = instance;
            return this;
        }

        /** The largest file accepted, in bytes (default: no limit). */
        public Builder maxSize(long bytes) {
            requireUnset(this.maxSize, "maxSize");
            if (bytes < 0) {
                throw new IllegalArgumentException("maxSize must be 0 bytes or more, was " + bytes);
            }
            this.maxSize = bytes;
            return this;
        }

        public FileStore build() {
            return new FileStore(this);
        }

        private static void requireUnset(Object current, String name) {
            if (current != null) {
                throw new IllegalStateException(name + " was already set to " + current);
            }
        }
    }
}
