package io.keyhole.tree;

import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import java.io.IOException;
import java.io.InputStream;

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
}
