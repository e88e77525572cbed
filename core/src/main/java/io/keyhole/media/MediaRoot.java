package io.keyhole.media;

import io.keyhole.storage.LocalStorage;
import io.keyhole.storage.OpenedFile;
import io.keyhole.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The directory media paths are relative to ({@code media-root}). A lookup never leaves it:
 * {@link MediaPath} refuses {@code ..} and friends by grammar, and the storage follows no
 * symbolic link below the root (the root itself may be one). Thread-safe.
 */
public final class MediaRoot {

    private final LocalStorage storage;

    /** @param root the directory; need not exist yet */
    public MediaRoot(Path root) {
        this.storage = new LocalStorage(root);
    }

    /** The directory, absolute and normalised. */
    public Path root() {
        return storage.root();
    }

    /** The storage media files are read from. */
    public Storage storage() {
        return storage;
    }

    /**
     * Opens the regular file at {@code path}, only after the request was granted: this is a disk
     * access. What is opened is what gets served; the caller closes it.
     *
     * @return the opened file, or empty when it is missing, not a regular file, reached through a
     *         symbolic link, or changed while it was opened
     * @throws IOException when the file system fails otherwise (e.g. permission denied)
     */
    public Optional<OpenedFile> open(MediaPath path) throws IOException {
        return storage.open(path.value());
    }

    @Override
    public String toString() {
        return root().toString();
    }
}
