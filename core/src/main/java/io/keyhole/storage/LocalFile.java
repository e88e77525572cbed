package io.keyhole.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file {@link LocalStorage} opened: its descriptor, and what was read from it. The descriptor
 * may be shared by several of these (one per request, and one for {@link OpenFiles}); the last
 * one closed closes it.
 */
final class LocalFile implements OpenedFile {

    /**
     * One open descriptor, how many {@code LocalFile}s use it, and the file's bytes once read
     * into memory ({@link LocalFile#keepInMemory}).
     */
    private static final class Descriptor {
        final SeekableByteChannel channel;
        final AtomicInteger users = new AtomicInteger(1);
        /** Whether the bytes are to be held in memory once first read ({@link LocalFile#keepInMemory}). */
        volatile boolean inMemory;
        /** All the file's bytes, read through this descriptor; {@code null} until then. Set once, never written. */
        volatile byte[] content;

        Descriptor(SeekableByteChannel channel) {
            this.channel = channel;
        }

        /** One user more, unless the last one has closed it already. */
        boolean retain() {
            for (int n = users.get(); n > 0; n = users.get()) {
                if (users.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
            return false;
        }

        void release() throws IOException {
            if (users.decrementAndGet() == 0) {
                channel.close();
            }
        }
    }

    private final Descriptor descriptor;
    private final SeekableByteChannel channel;
    /** {@link #channel} when it is a {@link FileChannel} (always, on the default file system). */
    private final FileChannel fileChannel;
    private final Path root;
    private final String relativePath;
    private final long size;
    private final Instant lastModified;
    private final AtomicBoolean closed = new AtomicBoolean();

    LocalFile(SeekableByteChannel channel, Path root, String relativePath, long size, Instant lastModified) {
        this(new Descriptor(channel), root, relativePath, size, lastModified);
    }

    private LocalFile(Descriptor descriptor, Path root, String relativePath, long size, Instant lastModified) {
        this.descriptor = descriptor;
        this.channel = descriptor.channel;
        this.fileChannel = channel instanceof FileChannel file ? file : null;
        this.root = root;
        this.relativePath = relativePath;
        this.size = size;
        this.lastModified = lastModified;
    }

    /**
     * Another {@code LocalFile} on the same descriptor, closed on its own; {@code null} when the
     * descriptor is closed already.
     */
    LocalFile share() {
        return descriptor.retain() ? new LocalFile(descriptor, root, relativePath, size, lastModified) : null;
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

    @Override
    public ReadableByteChannel range(long first, long length) throws IOException {
        checkRange(first, length);
        if (closed.get() || !channel.isOpen()) {
            throw new ClosedChannelException();
        }
        return new Range(first, length);
    }

    /**
     * Has the file's bytes held in memory from the first time a body is read on: later requests
     * are served from there ({@link OpenFiles} does this for small files it keeps). Whatever
     * happens at the file's name afterwards, they get the bytes read through this descriptor,
     * which match the size and date read at the open. A file that is never streamed (a
     * conditional answered 304, a front server sending the bytes) is never read.
     */
    void keepInMemory() {
        descriptor.inMemory = true;
    }

    /** The bytes in memory, read now if they are to be held and not read yet; {@code null} when not held. */
    private byte[] content() throws IOException {
        byte[] content = descriptor.content;
        if (content != null || !descriptor.inMemory) {
            return content;
        }
        byte[] all = new byte[(int) size];
        ByteBuffer into = ByteBuffer.wrap(all);
        while (into.hasRemaining()) {
            if (readAt(into, into.position()) < 0) {
                // Shrunk since it was opened: left on the descriptor, whose reader sees the end early.
                descriptor.inMemory = false;
                return null;
            }
        }
        descriptor.content = all;
        return all;
    }

    private int readAt(ByteBuffer dst, long position) throws IOException {
        if (fileChannel != null) {
            return fileChannel.read(dst, position);
        }
        synchronized (channel) {
            channel.position(position);
            return channel.read(dst);
        }
    }

    /** From memory when the bytes are held there ({@link #keepInMemory}), else through the descriptor. */
    @Override
    public void writeTo(long first, long length, OutputStream out) throws IOException {
        checkRange(first, length);
        if (closed.get()) {
            throw new ClosedChannelException();
        }
        byte[] content = content();
        if (content == null) {
            OpenedFile.super.writeTo(first, length, out);
            return;
        }
        out.write(content, (int) first, (int) length);
    }

    private void checkRange(long first, long length) {
        if (first < 0 || length < 0 || first > size - length) {
            throw new IllegalArgumentException("range " + first + "+" + length + " is not within the " + size
                    + " bytes of " + relativePath);
        }
    }

    @Override
    public Optional<FileChannel> fileChannel() {
        return Optional.ofNullable(fileChannel);
    }

    /** Computed when asked: only Tomcat's sendfile wants it, most requests never do. */
    @Override
    public Optional<Path> localPath() {
        Path path = root;
        for (String segment : relativePath.split("/", -1)) {
            path = path.resolve(segment);
        }
        return Optional.of(path);
    }

    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            descriptor.release();
        }
    }

    @Override
    public String toString() {
        return relativePath + " (" + size + " bytes, opened)";
    }

    /**
     * Positional reads, so several ranges of one file need no shared position; from the bytes in
     * memory when they are held there ({@link #keepInMemory}).
     */
    private final class Range implements ReadableByteChannel {
        private long at;
        private long left;
        private boolean open = true;

        Range(long first, long length) {
            this.at = first;
            this.left = length;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (!open || closed.get()) {
                throw new ClosedChannelException();
            }
            if (left == 0) {
                return -1;
            }
            byte[] content = content();
            if (content != null) {
                int n = (int) Math.min(dst.remaining(), left);
                dst.put(content, (int) at, n);
                at += n;
                left -= n;
                return n;
            }
            int limit = dst.limit();
            if (dst.remaining() > left) {
                dst.limit(dst.position() + (int) left);
            }
            int n;
            try {
                n = readAt(dst, at);
            } finally {
                dst.limit(limit);
            }
            if (n < 0) {
                // Shrunk since it was opened: the reader sees the end early and must not pad.
                left = 0;
                return -1;
            }
            at += n;
            left -= n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return open && !closed.get() && channel.isOpen();
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
