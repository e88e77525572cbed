package io.keyhole.media;

import io.keyhole.StoredFile;
import io.keyhole.internal.ConfinedRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The directory media paths are relative to ({@code media-root}). A lookup never leaves it:
 * {@link MediaPath} refuses {@code ..} and friends by grammar, and the real path of what is
 * found (symlinks resolved) must still lie inside the root's. Thread-safe.
 */
public final class MediaRoot {

    private final ConfinedRoot confined;

    /** @param root the directory; need not exist yet */
    public MediaRoot(Path root) {
        this.confined = new ConfinedRoot(root);
    }

    /** The directory, absolute and normalised. */
    public Path root() {
        return confined.root();
    }

    /**
     * The regular file at {@code path}, found only after the request was granted: this is a
     * disk access.
     *
     * @return the file, or empty when it is missing, not a regular file, or resolves outside the root
     * @throws IOException when the file system fails otherwise (e.g. permission denied)
     */
    public Optional<StoredFile> locate(MediaPath path) throws IOException {
        return confined.locate(path.value());
    }

    @Override
    public String toString() {
        return root().toString();
    }
}
