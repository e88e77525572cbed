package io.keyhole.internal.s3;

import io.keyhole.storage.OpenedFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.time.Instant;

/**
 * An object served from memory ({@link KeptObjects}): its bytes as the bucket sent them whole,
 * with the size and date of that answer, so that ranges and conditionals come out exactly as
 * from the bucket. Asks the bucket nothing.
 */
final class KeptFile implements OpenedFile {

    private final String relativePath;
    private final byte[] bytes;
    private final Instant lastModified;
    private boolean closed;

    KeptFile(String relativePath, byte[] bytes, Instant lastModified) {
        this.relativePath = relativePath;
        this.bytes = bytes;
        this.lastModified = lastModified;
    }

    @Override
    public String relativePath() {
        return relativePath;
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public Instant lastModified() {
        return lastModified;
    }

    @Override
    public ReadableByteChannel range(long first, long length) throws ClosedChannelException {
        BucketFile.checkRange(first, length, bytes.length, relativePath);
        if (closed) {
            throw new ClosedChannelException();
        }
        return new Slice(bytes, (int) first, (int) length);
    }

    /** The kept bytes at once, with no buffer between. */
    @Override
    public void writeTo(long first, long length, OutputStream out) throws IOException {
        BucketFile.checkRange(first, length, bytes.length, relativePath);
        if (closed) {
            throw new ClosedChannelException();
        }
        out.write(bytes, (int) first, (int) length);
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return relativePath + " (" + bytes.length + " bytes kept in memory)";
    }

    /** A range of the kept bytes; the array is shared, never written. */
    private static final class Slice implements ReadableByteChannel {
        private final byte[] bytes;
        private int position;
        private final int end;
        private boolean open = true;

        Slice(byte[] bytes, int first, int length) {
            this.bytes = bytes;
            this.position = first;
            this.end = first + length;
        }

        @Override
        public int read(ByteBuffer dst) throws ClosedChannelException {
            if (!open) {
                throw new ClosedChannelException();
            }
            if (position == end) {
                return -1;
            }
            int n = Math.min(dst.remaining(), end - position);
            dst.put(bytes, position, n);
            position += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
