package io.keyhole.tree;

import java.io.IOException;

/** An upload went past the store's limit ({@link FileStore.Builder#maxSize}, {@code upload-max-size}); nothing of it was kept. */
public final class FileTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;


    private final long limit;

    /** @param filename the upload's name, for the message; @param limit the limit in bytes */
    public FileTooLargeException(String filename, long limit) {
        super("'" + filename + "' is larger than the limit of " + limit + " bytes (FileStore.Builder.maxSize);"
                + " nothing was stored");
        this.limit = limit;
    }

    /** The limit in bytes. */
    public long limit() {
        return limit;
    }
}
