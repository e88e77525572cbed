package io.keyhole.internal.s3;

import io.keyhole.storage.OpenedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.time.Instant;

/**
 * An object {@link BucketStorage} opened: its size, date and the bucket's ETag from the first
 * answer, and, when the request's first answer was a {@code GET}, that answer's body, ready to be
 * streamed. Any other range is fetched with {@code If-Match} on the bucket's ETag, so every byte
 * sent belongs to the object that was opened; a replaced object fails the request rather than
 * mixing two files. Not local: no file channel, no path, so renderers copy rather than map.
 */
final class BucketFile implements OpenedFile {

    private final BucketStorage bucket;
    private final String relativePath;
    private final String key;
    private final long size;
    private final Instant lastModified;
    private final String bucketEtag;
    /** The first answer's body, covering {@code heldFirst} for {@code heldLength} bytes; {@code null} once taken or absent. */
    private Body held;
    private final long heldFirst;
    private final long heldLength;
    private Body current;
    private boolean closed;

    BucketFile(BucketStorage bucket, String relativePath, String key, long size, Instant lastModified,
               String bucketEtag, InputStream held, long heldFirst, long heldLength) {
        this.bucket = bucket;
        this.relativePath = relativePath;
        this.key = key;
        this.size = size;
        this.lastModified = lastModified;
        this.bucketEtag = bucketEtag;
        this.held = held == null ? null : new Body(held, heldLength);
        this.heldFirst = heldFirst;
        this.heldLength = heldLength;
    }

    @Override
    public String relativePath() {
        return relativePath;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Instant lastModified() {
        return lastModified;
    }

    /** Whether a range read now is served from the answer already received, without a request. */
    boolean holds(long first, long length) {
        return held != null && heldFirst == first && heldLength == length;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: the body of the first answer when it covers exactly this range, else one ranged
     * {@code GET}. Closing the channel before its end drops its connection.
     */
    @Override
    public ReadableByteChannel range(long first, long length) throws IOException {
        checkRange(first, length, size, relativePath);
        if (closed) {
            throw new ClosedChannelException();
        }
        if (holds(first, length)) {
            current = held;
            held = null;
            return current;
        }
        release(held);
        held = null;
        release(current);
        current = length == 0 ? new Body(InputStream.nullInputStream(), 0)
                : new Body(bucket.get(key, first, first + length - 1, bucketEtag), length);
        return current;
    }

    @Override
    public void close() {
        closed = true;
        release(held);
        held = null;
        release(current);
        current = null;
    }

    @Override
    public String toString() {
        return relativePath + " (" + size + " bytes in " + bucket.describe() + ")";
    }

    /** Refuses a range outside the object's {@code size} bytes: a caller's bug. */
    static void checkRange(long first, long length, long size, String relativePath) {
        if (first < 0 || length < 0 || first > size - length) {
            throw new IllegalArgumentException("range " + first + "+" + length + " is not within the " + size
                    + " bytes of " + relativePath);
        }
    }

    private static void release(Body body) {
        if (body != null) {
            body.close();
        }
    }

    /**
     * One answer's body, at most {@code length} bytes; its end reported early when the bucket
     * sends fewer, which the renderer treats as an error. Closed before its end, its connection
     * is closed rather than drained (see {@link BucketHttp}).
     */
    private static final class Body implements ReadableByteChannel {
        private final InputStream in;
        private long left;
        private boolean open = true;
        /** For a direct {@code dst}: one array per body, not one per read. */
        private byte[] scratch;

        Body(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        /**
         * Reads until {@code dst} is full or the body ends: a socket hands over a few KiB at a
         * time, and passing each on as it comes would cost the renderer one write per segment.
         */
        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!open) {
                throw new ClosedChannelException();
            }
            if (left == 0) {
                return -1;
            }
            int want = (int) Math.min(dst.remaining(), left);
            int n;
            if (dst.hasArray()) {
                n = in.readNBytes(dst.array(), dst.arrayOffset() + dst.position(), want);
                dst.position(dst.position() + n);
            } else {
                if (scratch == null) {
                    scratch = new byte[64 * 1024];
                }
                n = in.readNBytes(scratch, 0, Math.min(want, scratch.length));
                dst.put(scratch, 0, n);
            }
            if (n == 0 && want > 0) {
                left = 0;
                return -1;
            }
            left -= n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            if (!open) {
                return;
            }
            open = false;
            try {
                in.close();
            } catch (IOException e) {
                // Nothing more is read from it; an aborted body may complain while closing.
            }
        }
    }
}
