package io.keyhole.tree;

import io.keyhole.FileId;
import io.keyhole.storage.LocalStorage;
import io.keyhole.storage.OpenedFile;
import io.keyhole.storage.Storage;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The hashed directory tree: a file with id {@code abcdef01...} lives at
 * {@code root/a/b/c/d/abcdef01...} for depth 4 (the first {@code depth} characters name the
 * directories; the file keeps its whole id as its name). Thread-safe and immutable.
 *
 * <p>Only {@code java.nio.file} operations on the root's own file system are used, so a tree
 * may live on any {@link java.nio.file.FileSystem} provider (an in-memory one in tests, say).
 */
public final class HashedTree {

    /** Deepest tree supported. */
    public static final int MAX_DEPTH = 8;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Path root;
    private final int depth;
    private final String separator;

    /** Where files are read from: confined to the root, no link below it followed. */
    private final LocalStorage storage;

    /**
     * @param root  the tree's root directory (need not exist yet; see {@link #create()})
     * @param depth directory levels, 1..{@link #MAX_DEPTH}
     * @throws IllegalArgumentException when depth is out of range
     */
    public HashedTree(Path root, int depth) {
        Objects.requireNonNull(root, "root");
        if (depth < 1 || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("depth must be 1.." + MAX_DEPTH + ", was " + depth);
        }
        this.root = root.toAbsolutePath().normalize();
        this.depth = depth;
        this.separator = root.getFileSystem().getSeparator();
        this.storage = new LocalStorage(this.root);
    }

    /** The root directory, absolute and normalised. */
    public Path root() {
        return root;
    }

    /** Directory levels between the root and a file. */
    public int depth() {
        return depth;
    }

    /**
     * The id named by {@code text} when it is one this tree can hold (valid, at least
     * {@code depth} hex digits long, and not {@code <hex>.meta}, the name of a metadata file);
     * empty otherwise. No I/O, never throws.
     */
    public Optional<FileId> idOf(String text) {
        if (!FileId.isValid(text) || text.endsWith(PackIds.META_SUFFIX) && text.indexOf('.') == text.lastIndexOf('.')) {
            return Optional.empty();
        }
        FileId id = FileId.parse(text);
        return id.hex().length() >= depth ? Optional.of(id) : Optional.empty();
    }

    /**
     * Where {@code id} lives, computed from the id alone: no I/O.
     *
     * @throws IllegalArgumentException when the id's hex part is shorter than the depth
     */
    public Path pathOf(FileId id) {
        return root.resolve(below(id, separator));
    }

    /** {@link #pathOf} below the root, with {@code /} separators: {@code a/b/c/d/abcd...}. */
    public String relativePathOf(FileId id) {
        return below(id, "/");
    }

    /** Where the metadata of {@code id} lives ({@code request-type=internal}): beside its file. */
    public Path metaPathOf(FileId id) {
        return root.resolve(below(id, separator) + PackIds.META_SUFFIX);
    }

    private String below(FileId id, String sep) {
        String value = PackIds.diskName(id);
        int dot = value.indexOf('.');
        int hexLength = dot < 0 ? value.length() : dot;
        if (hexLength < depth) {
            throw new IllegalArgumentException("file id has " + hexLength + " hex digits; a tree of depth "
                    + depth + " needs at least " + depth);
        }
        StringBuilder out = new StringBuilder(depth * (1 + sep.length()) + value.length());
        for (int i = 0; i < depth; i++) {
            out.append(value.charAt(i)).append(sep);
        }
        return out.append(value).toString();
    }

    /** The storage the tree's files are read from: the root, on the local file system. */
    public Storage storage() {
        return storage;
    }

    /**
     * Opens the file for {@code id} ({@link Storage#open} at {@link #relativePathOf}): a regular
     * file at the id's place, reached without following any symbolic link below the root (the
     * root itself may be one). What is opened is what gets served; the caller closes it. This is
     * the first disk access for a request; call it only after authorisation.
     *
     * @return the opened file, or empty when it does not exist, is not a regular file, is reached
     *         through a link, or changed while it was opened
     * @throws IOException when the file system fails for another reason (e.g. permission denied,
     *                     a file where the tree has a directory)
     * @throws IllegalArgumentException when the id's hex part is shorter than the depth
     */
    public Optional<OpenedFile> open(FileId id) throws IOException {
        return storage.open(relativePathOf(id));
    }

    /**
     * Creates the root and every directory of the tree (16^1 + ... + 16^depth of them), like the
     * original {@code mkcdn} tool. Existing directories are kept; existing files are untouched.
     *
     * @return how many of the tree's directories below the root were created (the root and its
     *         parents are not counted); 0 when the tree was complete
     * @throws IOException when a directory cannot be created, naming it
     */
    public long create() throws IOException {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IOException("cannot create the tree's root " + root + ": " + e, e);
        }
        return createLevel(root, 1);
    }

    private long createLevel(Path parent, int level) throws IOException {
        long created = 0;
        for (char c : HEX) {
            Path dir = parent.resolve(String.valueOf(c));
            try {
                Files.createDirectory(dir);
                created++;
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(dir)) {
                    throw new IOException("cannot create directory " + dir + ": something else of that name exists", e);
                }
            } catch (IOException e) {
                throw new IOException("cannot create directory " + dir + ": " + e, e);
            }
            if (level < depth) {
                created += createLevel(dir, level + 1);
            }
        }
        return created;
    }
}
