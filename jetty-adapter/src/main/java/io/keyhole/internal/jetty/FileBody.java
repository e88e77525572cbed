package io.keyhole.internal.jetty;

import io.keyhole.Delivery;
import io.keyhole.http.ByteRange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
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
 * time: a file region of {@link #MAP_THRESHOLD} bytes or more goes out as read-only mappings of
 * at most {@link #MAP_CHUNK} bytes, which the kernel copies straight from the page cache to the
 * socket; a smaller one is read in pooled direct buffers of at most {@link #READ_CHUNK} bytes
 * (the first of which Jetty can send together with the headers). Neither touches the heap, and
 * no buffer grows with the file.
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

    /** Framing bytes, or a file region when {@code framing} is {@code null}. */
    private record Piece(byte[] framing, long first, long length) {
    }

    private final Response response;
    private final ByteBufferPool pool;
    private final Callback callback;
    private final FileChannel channel;
    private final List<Piece> pieces;
    private int index;
    private long offset;
    private boolean lastWritten;
    private RetainableByteBuffer pooled;
    private Mappings.Mapping mapped;

    private FileBody(Response response, ByteBufferPool pool, Callback callback, FileChannel channel, List<Piece> pieces) {
        this.response = response;
        this.pool = pool;
        this.callback = callback;
        this.channel = channel;
        this.pieces = pieces;
    }

    /**
     * Starts writing the body of {@code send} (whose status and headers are already set) and
     * completes {@code callback} when done or failed.
     *
     * @throws IOException when the file cannot be opened or has shrunk below what the ranges need;
     *                     then nothing was written and {@code callback} is not called
     */
    public static void write(Delivery.Send send, Response response, ByteBufferPool pool, Callback callback)
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
        FileChannel channel = FileChannel.open(send.file().path(), StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < end) {
                // A mapping past the end would fault when the kernel reads it: refuse before sending.
                throw new IOException(send.file().path() + " has " + size + " bytes now, " + end + " were located");
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        new FileBody(response, pool == null ? ByteBufferPool.NON_POOLING : pool, callback, channel, pieces).iterate();
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
            if (piece.length() < MAP_THRESHOLD) {
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
            }
        }
        lastWritten = index == pieces.size();
        response.write(lastWritten, buffer, this);
        return Action.SCHEDULED;
    }

    private ByteBuffer read(long position, int length) throws IOException {
        pooled = pool.acquire(Math.max(length, 1), true);
        ByteBuffer buffer = pooled.getByteBuffer();
        buffer.clear().limit(length);
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException(channel + " ended " + buffer.remaining() + " bytes early");
            }
            at += n;
        }
        return buffer.flip();
    }

    private void release() {
        if (pooled != null) {
            pooled.release();
            pooled = null;
        }
    }

    @Override
    protected void onCompleteSuccess() {
        closeChannel();
        callback.succeeded();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
        if (mapped != null) {
            mapped.release();
            mapped = null;
        }
        release();
        closeChannel();
        callback.failed(cause);
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // Reading is over; a failing close of a read-only channel loses nothing.
            System.getLogger(FileBody.class.getName()).log(System.Logger.Level.DEBUG, "closing " + channel, e);
        }
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }
}
