package io.keyhole.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * A file a {@link Storage} has opened for one request: its bytes as they were when it was opened,
 * whatever has been renamed, replaced or deleted at its name since (a local file stays readable
 * after it is unlinked). Size and modification time were read from what was opened.
 *
 * <p>Whoever ends up not sending the body closes it: the engine for a 304, 412 or 416, for HEAD
 * and when a front server sends the bytes; the writer after the body, also when the client went
 * away. Closing is idempotent. Used by one request at a time.
 */
public interface OpenedFile extends Closeable {

    /**
     * The path below the storage's root with {@code /} separators, e.g. {@code a/b/c/d/abcd...}:
     * what X-Accel-Redirect and X-Sendfile append to their prefix.
     */
    String relativePath();

    /** Size in bytes, of what was opened. */
    long size();

    /** Modification time, of what was opened. */
    Instant lastModified();

    /**
     * The bytes {@code first} to {@code first + length - 1}, read on demand. The channel reports
     * its end ({@code -1}) after {@code length} bytes, or earlier when the file has shrunk since
     * it was opened, which a reader must treat as an error. Closing the channel leaves the file
     * open. For a bucket this is one ranged request, so ask for a whole range, not for pieces.
     *
     * @throws IllegalArgumentException when the range does not lie within {@link #size()}
     * @throws IOException              when the storage cannot start reading (the file is closed)
     */
    ReadableByteChannel range(long first, long length) throws IOException;

    /**
     * Writes the bytes {@code first} to {@code first + length - 1} to {@code out}: what a renderer
     * that streams calls. By default through {@link #range} and a buffer of at most 64 KiB, so
     * memory stays flat whatever the length; a file whose bytes are in memory already writes them
     * at once. A file that has shrunk since it was opened fails with an {@link IOException} after
     * what there was: the client sees a short body, never padding.
     *
     * @throws IllegalArgumentException when the range does not lie within {@link #size()}
     * @throws IOException              when reading or writing fails
     */
    default void writeTo(long first, long length, OutputStream out) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(64 * 1024, Math.max(length, 1)));
        long left = length;
        try (ReadableByteChannel in = range(first, length)) {
            while (left > 0) {
                buffer.clear();
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IOException(relativePath() + " ended " + left + " bytes early");
                }
                out.write(buffer.array(), 0, n);
                left -= n;
            }
        }
    }

    /**
     * The open file's channel, for renderers that send from the page cache (mapped buffers,
     * {@code transferTo}); empty when the bytes are not in a local file. Positional reads only:
     * the channel is shared with {@link #range}. Closed with this file.
     */
    default Optional<FileChannel> fileChannel() {
        return Optional.empty();
    }

    /**
     * The file's path, for a container that takes a file <em>name</em> and opens it again itself
     * (Tomcat's sendfile). Empty when the bytes are not in a local file.
     *
     * <p>The same trust caveat as X-Accel-Redirect: whoever opens the name later opens whatever
     * is there by then, following links, not what this object opened and checked. Use it only for
     * a tree that no untrusted process can write to.
     */
    default Optional<Path> localPath() {
        return Optional.empty();
    }

    /** Releases the descriptor (or connection); harmless when already closed. */
    @Override
    void close() throws IOException;
}
