package io.keyhole.storage;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where granted files are read from: the local hashed tree or media root ({@link LocalStorage}),
 * or an S3-compatible bucket ({@code keyhole-s3}, found through {@link StorageProvider}). {@link #open} is step 3 of a request: the storage's first look
 * at a name, made only after the request was granted (a denied caller must learn nothing about
 * which files exist), and what it returns is what gets served, so nothing can be swapped in
 * between the check and the send.
 *
 * <p>Implementations are thread-safe: one instance serves every request.
 */
public interface Storage extends AutoCloseable {

    /**
     * Opens the file at {@code relativePath}. Call it only after the request has been granted:
     * this is the request's first access to the storage.
     *
     * @param relativePath {@code /}-separated segments below the storage's root, already checked by
     *                     a grammar (a {@code FileId}'s place such as {@code a/b/c/d/abcd...}, or a
     *                     {@code MediaPath}); none empty, {@code .} or {@code ..}
     * @return the opened file, which the caller closes; empty when there is none: missing, not a
     *         regular file (a directory, a link, a FIFO, a device...), outside the root, or changed
     *         while it was being opened. Never throws for those.
     * @throws IOException when the storage fails otherwise (permission denied, a damaged tree, a
     *                     bucket that does not answer); the request then fails with a 5xx
     * @throws IllegalArgumentException when {@code relativePath} is not a relative path of
     *                                  plain segments: a caller's bug, not a client's
     */
    Optional<OpenedFile> open(String relativePath) throws IOException;

    /**
     * Checks that files can be read here, without opening one: for health checks. The default
     * cannot tell and returns {@code false}.
     *
     * @return {@code true} when the storage is readable, {@code false} when this storage cannot check
     * @throws IOException when it is not readable
     */
    default boolean probe() throws IOException {
        return false;
    }

    /**
     * {@link #open(String)}, told what the request will most likely read, so that a remote
     * storage can answer metadata and body in one round trip. The file returned serves any
     * range all the same. The local tree ignores the hint.
     *
     * @throws StorageUnavailableException when a remote storage is down (503) or does not answer in time (504)
     */
    default Optional<OpenedFile> open(String relativePath, Prefetch prefetch) throws IOException {
        return open(relativePath);
    }

    /**
     * A URL at which a client may fetch the file itself for {@code ttl}, the answer carrying
     * {@code contentType} and {@code contentDisposition}, for {@code delivery=redirect}. Computed
     * without asking the storage anything. Empty when this storage cannot sign URLs (the local tree).
     */
    default Optional<URI> presignedGet(String relativePath, Duration ttl, String contentType,
                                       String contentDisposition) {
        return Optional.empty();
    }

    /** A few words for log lines, e.g. {@code local /srv/files}. */
    String describe();

    /**
     * Says that the file at {@code relativePath} was just written, replaced or deleted through
     * this instance: whatever the storage keeps about it for later requests must not be used
     * again. The default keeps nothing.
     */
    default void forget(String relativePath) {
    }

    /** Releases what the storage holds (clients, pools); opened files stay usable until closed. */
    @Override
    void close() throws IOException;
}
