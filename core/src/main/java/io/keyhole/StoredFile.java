package io.keyhole;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A regular file found in the tree, with what {@code stat} said of it.
 *
 * @param path         the real path (symlinks resolved), inside the tree's root
 * @param relativePath the path below the root with {@code /} separators, e.g. {@code a/b/c/d/abcd...};
 *                     what X-Accel-Redirect and X-Sendfile append to their prefix
 * @param size         size in bytes
 * @param lastModified modification time
 */
public record StoredFile(Path path, String relativePath, long size, Instant lastModified) {
}
