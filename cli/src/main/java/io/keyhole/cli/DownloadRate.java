package io.keyhole.cli;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

    /** The response, whose writes are counted and judged once a window while one is waiting. */
    private final class Measured extends Response.Wrapper {

        private final Request request;
        /**
         * Guards {@link #inFlight} and {@link #completed}, so that a judgement sees both as one: a
         * write that completes is counted once, and its buffer (a pooled one is reused once
         * released) is looked at only before it completes.
         */
        private final Object lock = new Object();
        /** The write the connection is sending, {@code null} between writes. Writes of one response do not overlap. */
        private ByteBuffer inFlight;
        /** How many bytes {@link #inFlight} held when handed over. */
        private int inFlightLength;
        /** Bytes of the writes completed. */
        private long completed;
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
            int length = content == null ? 0 : content.remaining();
            synchronized (lock) {
                inFlight = content;
                inFlightLength = length;
            }
            super.write(last, content, new Callback.Nested(callback) {
                @Override
                public void succeeded() {
                    synchronized (lock) {
                        completed += length;
                        inFlight = null;
                    }
                    super.succeeded();
                }
            });
            boolean waiting;
            synchronized (lock) {
                waiting = inFlight == content && content != null;
            }
            if (waiting && timer == null && !finished) {
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
            long progress;
            boolean waiting;
            synchronized (lock) {
                waiting = inFlight != null;
                // the connection drains the buffer as it sends: what it took of a large mapped region counts
                progress = completed + (waiting ? inFlightLength - inFlight.remaining() : 0);
            }
            long moved = progress - windowStart;
            long due = bytesPerSecond * windowNanos / TimeUnit.SECONDS.toNanos(1);
            if (waiting && moved < due) {
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
