package io.keyhole.tree;

import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where uploads are written and deletes applied: the local tree ({@link FileStore}) or a bucket.
 * A store claims each new id so that two stores writing at the same moment, in one process or on
 * two machines, never end up with one id; nobody ever reads half a file. Thread-safe.
 */
public interface Store {

    /**
     * Stores {@code content} (read to its end; not closed) under a new id.
     *
     * @return the id and metadata to record where the authorisation backend finds them
     * @throws FileTooLargeException when the content exceeds the store's limit
     * @throws IOException           when reading or writing fails; nothing is left behind
     */
    StoredMetadata store(InputStream content, Upload upload) throws IOException;

    /**
     * Deletes the file {@code id}.
     *
     * @return whether there was such a file
     * @throws IOException when deleting fails
     */
    boolean delete(FileId id) throws IOException;

    /**
     * Makes the store ready to take uploads ({@code keyhole init}): the local tree creates its
     * directories; a bucket checks that it is reachable, readable and writable, and marks its
     * prefix as a tree of this depth.
     *
     * @return one line saying what was done, for the operator
     * @throws IOException naming what is missing or refused, and where
     */
    String create() throws IOException;

    /**
     * Lists what does not belong in the tree ({@code keyhole fsck}): names that are no ids, ids
     * in the wrong place, and what writers that died left behind (temporary files, incomplete
     * multipart uploads). What writers still running hold is counted, not reported. Changes nothing.
     *
     * @param expectMeta also report files without their {@code .meta} (a tree served with
     *                   {@code request-type=internal})
     */
    TreeCheck check(boolean expectMeta) throws IOException;

    /**
     * Removes what writers that died left behind, and nothing else ({@code keyhole fsck --repair}).
     *
     * @return what was removed
     */
    List<TreeProblem> cleanup() throws IOException;
}
