package io.keyhole.tree;

import java.nio.file.Path;

/**
 * Something in a tree that should not be there, found by {@link FileStore#check()}.
 *
 * @param kind         what is wrong
 * @param path         the entry, inside the tree's root; in a bucket, the object's key as a path
 * @param relativePath the path below the root with {@code /} separators
 * @param detail       what to do about it, or where the file belongs
 */
public record TreeProblem(Kind kind, Path path, String relativePath, String detail) {

    /** What is wrong. */
    public enum Kind {
        /** A valid id in the wrong directory (the wrong depth, say); requests for it find nothing. */
        MISPLACED("misplaced"),
        /** A file whose name is no file id; nothing can ask for it. */
        NOT_AN_ID("not-an-id"),
        /** A temporary file of a store that ended without finishing (a crash, a kill). */
        LEFTOVER_TEMP_FILE("leftover-temp-file"),
        /** A {@code .meta} file whose file is gone ({@code request-type=internal}). */
        ORPHAN_META("orphan-meta"),
        /** A file without its {@code .meta} in a tree checked for {@code request-type=internal}: nobody can read it. */
        MISSING_META("missing-meta"),
        /** A directory that could not be read, so what is below it was not checked. */
        UNREADABLE("unreadable"),
        /** A multipart upload to a bucket started long ago and never completed nor aborted; its parts cost storage. */
        INCOMPLETE_UPLOAD("incomplete-upload");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** A short lowercase name for reports, e.g. {@code leftover-temp-file}. */
        public String label() {
            return label;
        }
    }

    @Override
    public String toString() {
        return kind.label() + " " + relativePath + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
