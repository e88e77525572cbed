package io.keyhole.tree;

import io.keyhole.FileId;
import io.keyhole.storage.OpenedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;

/**
 * The metadata files of {@code request-type=internal}: {@code <file>.meta} beside each file of a
 * {@link HashedTree}, holding the JSON of the upload question. Written atomically (a locked
 * temporary file in the same directory, flushed, then renamed over the name), so a reader sees
 * the old metadata or the new, and a writer killed midway leaves only a temporary file that
 * {@code keyhole fsck} reports and {@code --repair} removes — never half a {@code .meta}. Read
 * like the tree's files: one directory descriptor at a time, no symbolic link below the root
 * followed. Thread-safe.
 */
public final class MetaFiles {

    /** Larger metadata is refused: an upload question is a few hundred bytes. */
    public static final int MAX_BYTES = 64 * 1024;

    private final HashedTree tree;

    public MetaFiles(HashedTree tree) {
        this.tree = Objects.requireNonNull(tree, "tree");
    }

    /** The tree whose files these metadata describe. */
    public HashedTree tree() {
        return tree;
    }

    /**
     * The metadata of {@code id}, or empty when there is none (or it is no regular file, or is
     * reached through a link).
     *
     * @throws IOException when it cannot be read, or is larger than {@link #MAX_BYTES}
     */
    public Optional<byte[]> read(FileId id) throws IOException {
        Optional<OpenedFile> opened = tree.storage().open(tree.relativePathOf(id) + PackIds.META_SUFFIX);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        try (OpenedFile file = opened.get()) {
            long size = file.size();
            if (size > MAX_BYTES) {
                throw new IOException(file.relativePath() + " has " + size + " bytes; metadata holds at most "
                        + MAX_BYTES);
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) size);
            try (ReadableByteChannel channel = file.range(0, size)) {
                while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                    // reading until the size stat gave; a file replaced meanwhile is the opened one
                }
            }
            buffer.flip();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return Optional.of(bytes);
        }
    }

    /**
     * Writes the metadata of {@code id} in one step, replacing any. The file's directory must
     * exist (the file itself is stored first).
     */
    public void write(FileId id, byte[] json) throws IOException {
        Objects.requireNonNull(json, "json");
        if (json.length > MAX_BYTES) {
            throw new IOException("metadata of " + id + " would have " + json.length + " bytes; at most " + MAX_BYTES);
        }
        Path target = tree.metaPathOf(id);
        Path dir = target.getParent();
        try (TempFile temp = TempFile.create(dir)) {
            FileChannel channel = temp.channel();
            ByteBuffer out = ByteBuffer.wrap(json);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.force(true);
            Files.move(temp.path(), target, StandardCopyOption.ATOMIC_MOVE);
            Disk.syncDirectory(dir);
        }
    }

    /**
     * Removes the metadata of {@code id}.
     *
     * @return whether there was any
     */
    public boolean delete(FileId id) throws IOException {
        Path target = tree.metaPathOf(id);
        try {
            if (!Files.deleteIfExists(target)) {
                return false;
            }
        } catch (NoSuchFileException e) {
            return false;
        }
        Disk.syncDirectory(target.getParent());
        return true;
    }
}
