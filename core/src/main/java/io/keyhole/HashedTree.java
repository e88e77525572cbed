package io.keyhole;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The hashed directory tree: a file with id {@code abcdef01...} lives at
 * {@code root/a/b/c/d/abcdef01...} for depth 4 (the first {@code depth} characters name the
 * directories; the file keeps its whole id as its name). Thread-safe and immutable.
 */
public final class HashedTree {

    /** Deepest tree supported. */
    public static final int MAX_DEPTH = 8;

    /**
     * @param root  the tree's root directory (need not exist yet; see {@link #create()})
     * @param depth directory levels, 1..{@link #MAX_DEPTH}
     * @throws IllegalArgumentException when depth is out of range
     */
    public HashedTree(Path root, int depth) {
        throw new UnsupportedOperationException("pending");
    }

    public Path root() {
        throw new UnsupportedOperationException("pending");
    }

    public int depth() {
        throw new UnsupportedOperationException("pending");
    }

    /**
     * Where {@code id} lives, computed from the id alone: no I/O.
     *
     * @throws IllegalArgumentException when the id's hex part is shorter than the depth
     */
    public Path pathOf(FileId id) {
        throw new UnsupportedOperationException("pending");
    }

    /** {@link #pathOf} below the root, with {@code /} separators: {@code a/b/c/d/abcd...}. */
    public String relativePathOf(FileId id) {
        throw new UnsupportedOperationException("pending");
    }

    /**
     * Finds the file for {@code id}: resolves the real path (following symlinks) and returns
     * it only when it is a regular file whose real path lies inside the root's real path.
     * This is the first disk access for a request; call it only after authorisation.
     *
     * @return the file, or empty when it does not exist, is not a regular file, or escapes the root
     * @throws IOException when the file system fails for another reason (e.g. permission denied)
     */
    public Optional<StoredFile> locate(FileId id) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    /**
     * Creates the root and every directory of the tree (16^1 + ... + 16^depth of them), like the
     * original {@code mkcdn} tool. Existing directories are kept; existing files are untouched.
     *
     * @return how many directories were created
     * @throws IOException when a directory cannot be created, naming it
     */
    public long create() throws IOException {
        throw new UnsupportedOperationException("pending");
    }
}
