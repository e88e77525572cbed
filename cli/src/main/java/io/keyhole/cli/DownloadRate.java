package io.keyhole.cli;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * {@code min-download-rate} on Jetty's core: a response whose client takes its body more slowly
 * than the rate over a whole window loses its connection. The handler writes bodies
 * asynchronously, so a slow reader holds no thread; what it still holds (the connection, the open
 * file, a mapped region, a request slot of its address) it gives back here, long before the idle
 * timeout when it reads a little now and then.
 *
 * <p>The first window is the grace a response starts with (the socket buffers take the first
 * bytes at once, whatever the client does); from then on each window must move at least
 * {@code rate × window} bytes to the client. Progress counts the bytes the connection has taken
 * from the write in flight too, so a large mapped region read steadily is judged by what has
 * left, not by when its write completes. A window in which no write was waiting for the client
 * (the server itself was reading) is not judged. Bodies written at once (the socket buffer took
 * them) cost no timer.
 */
final class DownloadRate extends Handler.Wrapper {

    private final long bytesPerSecond;
    private final long windowNanos;

    DownloadRate(Handler handler, long bytesPerSecond, Duration window) {
        super(handler);
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("a download rate is positive, was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.windowNanos = window.toNanos();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        Measured measured = new Measured(request, response);
        return super.handle(request, measured, new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                measured.finish();
                super.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                measured.finish();
                super.failed(failure);
            }
        });
    }

    /** One write handed to the connection: its buffer, which the connection drains as it sends. */
    private record Write(ByteBuffer buffer, int length) {

        /** Bytes the connection has taken so far; read from the timer's thread, at worst a little stale. */
        long taken() {
            return buffer == null ? 0 : length - buffer.remaining();
        }
    }

    /** The response, whose writes are counted and judged once a window while one is waiting. */
    private final class Measured extends Response.Wrapper {

        private final Request request;
        /** Bytes of the writes completed. */
        private final AtomicLong written = new AtomicLong();
        /** The write in flight, {@code null} between writes. Writes of one response do not overlap. */
        private volatile Write pending;
        private volatile boolean finished;
        /** Set by the first write that did not complete at once, then by each judgement. */
        private volatile Scheduler.Task timer;
        /** Progress at the start of the current window; the timer's own. */
        private long windowStart;

        Measured(Request request, Response response) {
            super(request, response);
            this.request = request;
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            Write write = new Write(content, content == null ? 0 : content.remaining());
            pending = write;
            super.write(last, content, new Callback.Nested(callback) {
                @Override
                public void succeeded() {
                    // the total first: a judge that sees no write in flight then sees its bytes
                    written.addAndGet(write.length());
                    pending = null;
                    super.succeeded();
                }
            });
            if (pending == write && timer == null && !finished) {
                timer = request.getComponents().getScheduler().schedule(this::judge, windowNanos, TimeUnit.NANOSECONDS);
            }
        }

        void finish() {
            finished = true;
            Scheduler.Task t = timer;
            if (t != null) {
                t.cancel();
            }
        }

        /** The end of a window: too few bytes moved while the client was awaited closes the connection. */
        private void judge() {
            if (finished) {
                return;
            }
            // the write in flight first: one completing meanwhile is then counted twice, never missed
            Write write = pending;
            long progress = (write == null ? 0 : write.taken()) + written.get();
            long moved = progress - windowStart;
            long due = bytesPerSecond * windowNanos / TimeUnit.SECONDS.toNanos(1);
            if (write != null && moved < due) {
                TimeoutException slow = new TimeoutException("the client took " + moved + " bytes in "
                        + TimeUnit.NANOSECONDS.toMillis(windowNanos) + " ms, less than " + bytesPerSecond + " bytes/s ("
                        + ServeLimits.MIN_DOWNLOAD_RATE + ")");
                // Closing fails the write in flight, and the response with it, on the closing thread:
                // a worker's, not the timer's, which must never wait on what completion sets off.
                EndPoint connection = request.getConnectionMetaData().getConnection().getEndPoint();
                request.getComponents().getExecutor().execute(() -> connection.close(slow));
                return;
            }
            windowStart = progress;
            timer = request.getComponents().getScheduler().schedule(this::judge, windowNanos, TimeUnit.NANOSECONDS);
        }
    }
}
