package io.keyhole.internal;

import io.keyhole.StoredFile;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * A directory whose files may be served, and nothing outside it: a lookup succeeds only for a
 * regular file whose real path (symlinks resolved) lies inside the root's real path. Shared by
 * the hashed tree and the media root. Thread-safe.
 *
 * <p>Callers validate the relative path's grammar first; this class is the second line, the
 * one that also catches symlinks.
 */
public final class ConfinedRoot {

    private static final System.Logger LOG = System.getLogger(ConfinedRoot.class.getName());

    private final Path root;

    /**
     * The root's real path as last seen. Cached because resolving it costs a system call per
     * component on every request; refreshed once whenever a file seems to lie outside it, so a
     * root that is itself a symlink may be repointed while running.
     */
    private volatile Path realRoot;

    /** @param root the directory (need not exist yet); kept absolute and normalised */
    public ConfinedRoot(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    /** The root directory, absolute and normalised. */
    public Path root() {
        return root;
    }

    /**
     * Finds {@code relative} below the root. This is a disk access; call it only after the
     * request has been authorised.
     *
     * @param relative {@code /}-separated segments, none of them empty, {@code .} or {@code ..}
     * @return the file, or empty when it does not exist, is not a regular file, or escapes the root
     * @throws IOException when the file system fails for another reason (e.g. permission denied)
     */
    public Optional<StoredFile> locate(String relative) throws IOException {
        Path path = root;
        for (String segment : relative.split("/", -1)) {
            path = path.resolve(segment);
        }
        Path real;
        BasicFileAttributes attributes;
        try {
            real = path.toRealPath();
            if (!inside(real)) {
                // The target is not logged: it may name something the operator wants kept private.
                LOG.log(Level.WARNING, "{0} below {1} resolves outside it; not serving it", relative, root);
                return Optional.empty();
            }
            // The real path has no links left; NOFOLLOW_LINKS makes a link swapped in since then fail the check.
            attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (!attributes.isRegularFile()) {
            return Optional.empty();
        }
        return Optional.of(new StoredFile(real, relative, attributes.size(), attributes.lastModifiedTime().toInstant()));
    }

    private boolean inside(Path real) throws IOException {
        Path known = realRoot;
        if (known != null && real.startsWith(known) && !real.equals(known)) {
            return true;
        }
        Path current = root.toRealPath();
        realRoot = current;
        return real.startsWith(current) && !real.equals(current);
    }
}
