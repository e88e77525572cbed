package io.keyhole.internal.jetty;

import io.keyhole.Delivery;
import io.keyhole.http.ByteRange;
import io.keyhole.internal.Logs;
import io.keyhole.storage.OpenedFile;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;

/**
 * Writes the body of a {@link Delivery.Send} to a Jetty core {@link Response}, one buffer at a
 * time, from the file the storage opened (never from its name, which may point elsewhere by
 * now): a file region of {@link #MAP_THRESHOLD} bytes or more goes out as read-only mappings of
 * at most {@link #MAP_CHUNK} bytes of its {@link OpenedFile#fileChannel()}, which the kernel copies
 * straight from the page cache to the socket; a smaller one, or one of a file that is not local,
 * is read in pooled direct buffers of at most {@link #READ_CHUNK} bytes (the first of which
 * Jetty can send together with the headers). Neither touches the heap, and no buffer grows with
 * the file.
 *
 * <p>Multipart bodies interleave the framing of {@link io.keyhole.http.MultipartByteranges}
 * with the regions. The callback completes once the last byte has been handed to the connection.
 */
public final class FileBody extends IteratingCallback {

    /**
     * Smaller regions are read rather than mapped: mapping and unmapping per response (page
     * faults, and a TLB flush on every core when unmapping) cost more than copying this little.
     */
    static final int MAP_THRESHOLD = 1024 * 1024;
    /**
     * The largest read of a region below {@link #MAP_THRESHOLD}: Jetty's output buffer size, a
     * size its buffer pool keeps (larger direct buffers would be allocated and freed each time).
     */
    static final int READ_CHUNK = 32 * 1024;
    /** The largest single mapping; bounds the address space one response holds at a time. */
    static final int MAP_CHUNK = 64 * 1024 * 1024;

    /**
     * {@link ByteBufferPool#acquire(int, boolean)}, linked by name: Jetty 12.1 narrowed its return
     * type to {@code RetainableByteBuffer.Mutable}, so a call compiled against one line fails on
     * the other with {@link NoSuchMethodError} (Spring Boot 3.5 brings Jetty 12.0, Boot 4.0 brings
     * 12.1). A static final handle, which the JIT compiles like a direct call.
     */
    private static final MethodHandle ACQUIRE;

    static {
        try {
            ACQUIRE = MethodHandles.publicLookup()
                    .unreflect(ByteBufferPool.class.getMethod("acquire", int.class, boolean.class))
                    .asType(MethodType.methodType(RetainableByteBuffer.class, ByteBufferPool.class, int.class, boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Framing bytes, or a file region when {@code framing} is {@code null}. */
    private record Piece(byte[] framing, long first, long length) {
    }

    private final Response response;
    private final ByteBufferPool pool;
    private final Callback callback;
    private final OpenedFile file;
    /** The file's channel when it is local, else {@code null}: then nothing is mapped. */
    private final FileChannel channel;
    private final List<Piece> pieces;
    private int index;
    private long offset;
    /** The range being read of a file that is not local; {@code null} between pieces. */
    private ReadableByteChannel range;
    private boolean lastWritten;
    private RetainableByteBuffer pooled;
    private Mappings.Mapping mapped;

    private FileBody(Response response, ByteBufferPool pool, Callback callback, OpenedFile file, FileChannel channel,
                     List<Piece> pieces) {
        this.response = response;
        this.pool = pool;
        this.callback = callback;
        this.file = file;
        this.channel = channel;
        this.pieces = pieces;
    }

    /**
     * Starts writing the body of {@code send} (whose status and headers are already set) and
     * completes {@code callback} when done or failed. Closes {@link Delivery.Send#file()} when
     * the body is written, when writing fails (the client went away), and when this throws.
     *
     * @throws IOException when the file has shrunk below what the ranges need since it was opened;
     *                     then nothing was written and {@code callback} is not called
     */
    public static void write(Delivery.Send send, Response response, ByteBufferPool pool, Callback callback)
            throws IOException {
        OpenedFile file = send.file();
        FileBody body;
        try {
            body = prepare(send, response, pool, callback);
        } catch (IOException | RuntimeException | Error e) {
            close(file, null);
            throw e;
        }
        body.iterate();
    }

    private static FileBody prepare(Delivery.Send send, Response response, ByteBufferPool pool, Callback callback)
            throws IOException {
        List<Piece> pieces = new ArrayList<>();
        List<ByteRange> ranges = send.ranges();
        long end;
        if (ranges.isEmpty()) {
            pieces.add(new Piece(null, 0, send.file().size()));
            end = send.file().size();
        } else if (send.multipart() == null) {
            pieces.add(new Piece(null, ranges.get(0).first(), ranges.get(0).length()));
            end = ranges.get(0).last() + 1;
        } else {
            end = 0;
            for (int i = 0; i < ranges.size(); i++) {
                pieces.add(new Piece(send.multipart().partHeader(i), 0, 0));
                pieces.add(new Piece(null, ranges.get(i).first(), ranges.get(i).length()));
                end = Math.max(end, ranges.get(i).last() + 1);
            }
            pieces.add(new Piece(send.multipart().closing(), 0, 0));
        }
        OpenedFile file = send.file();
        FileChannel channel = file.fileChannel().orElse(null);
        if (channel != null) {
            long size = channel.size();
            if (size < end) {
                // Truncated since it was opened. A mapping past the end would fault when the kernel
                // reads it: refuse before sending.
                throw new IOException(file.relativePath() + " has " + size + " bytes now, " + end + " were opened");
            }
        }
        return new FileBody(response, pool == null ? ByteBufferPool.NON_POOLING : pool, callback, file, channel, pieces);
    }

    @Override
    protected Action process() throws Throwable {
        // The previous write succeeded: Jetty is done with its buffer.
        release();
        if (mapped != null) {
            mapped.release();
            mapped = null;
        }
        if (lastWritten) {
            return Action.SUCCEEDED;
        }
        if (index == pieces.size()) {
            // Only for an empty body: every other body ends with a write marked last.
            lastWritten = true;
            response.write(true, BufferUtil.EMPTY_BUFFER, this);
            return Action.SCHEDULED;
        }
        Piece piece = pieces.get(index);
        ByteBuffer buffer;
        if (piece.framing() != null) {
            buffer = ByteBuffer.wrap(piece.framing());
            index++;
        } else {
            long position = piece.first() + offset;
            int n;
            if (channel == null) {
                n = (int) Math.min(piece.length() - offset, READ_CHUNK);
                if (offset == 0) {
                    range = file.range(piece.first(), piece.length());
                }
                buffer = readRange(n);
            } else if (piece.length() < MAP_THRESHOLD) {
                n = (int) Math.min(piece.length() - offset, READ_CHUNK);
                buffer = read(position, n);
            } else {
                n = (int) Math.min(piece.length() - offset, MAP_CHUNK);
                mapped = Mappings.map(channel, position, n);
                buffer = mapped.buffer;
            }
            offset += n;
            if (offset == piece.length()) {
                index++;
                offset = 0;
                closeRange();
            }
        }
        lastWritten = index == pieces.size();
        response.write(lastWritten, buffer, this);
        return Action.SCHEDULED;
    }

    /** A pooled direct buffer of {@code length} bytes (at least one), held until {@link #release()}. */
    private ByteBuffer acquire(int length) {
        try {
            pooled = (RetainableByteBuffer) ACQUIRE.invokeExact(pool, Math.max(length, 1), true);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            // acquire declares no checked exception
            throw new IllegalStateException(e);
        }
        return pooled.getByteBuffer();
    }

    private ByteBuffer read(long position, int length) throws IOException {
        ByteBuffer buffer = acquire(length);
        buffer.clear().limit(length);
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException(file.relativePath() + " ended " + buffer.remaining() + " bytes early");
            }
            at += n;
        }
        return buffer.flip();
    }

    /** The next {@code length} bytes of the current range of a file that is not local. */
    private ByteBuffer readRange(int length) throws IOException {
        ByteBuffer buffer = acquire(length);
        buffer.clear().limit(length);
        while (buffer.hasRemaining()) {
            if (range.read(buffer) < 0) {
                throw new IOException(file.relativePath() + " ended " + buffer.remaining() + " bytes early");
            }
        }
        return buffer.flip();
    }

    private void closeRange() throws IOException {
        if (range != null) {
            ReadableByteChannel done = range;
            range = null;
            done.close();
        }
    }

    private void release() {
        if (pooled != null) {
            pooled.release();
            pooled = null;
        }
    }

    @Override
    protected void onCompleteSuccess() {
        close(file, range);
        callback.succeeded();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        if (mapped != null) {
            mapped.release();
            mapped = null;
        }
        release();
        close(file, range);
        callback.failed(cause);
    }

    /** Mappings made from the file stay valid after this; they are released on their own. */
    private static void close(OpenedFile file, ReadableByteChannel range) {
        if (range != null) {
            closeQuietly(range, file);
        }
        closeQuietly(file, file);
    }

    private static void closeQuietly(java.io.Closeable closeable, OpenedFile of) {
        try {
            closeable.close();
        } catch (IOException e) {
            // Reading is over; a failing close of a file opened for reading loses nothing.
            Logs.of(FileBody.class).log(System.Logger.Level.DEBUG, "closing " + of, e);
        }
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }
}
