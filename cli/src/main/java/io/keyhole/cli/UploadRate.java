package io.keyhole.cli;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code min-upload-rate} on Jetty's core: a request body that arrives more slowly than the rate,
 * measured from its first bytes and judged after the first second, stops being read. The reader
 * sees a failed body (the engine answers its 400, and Jetty closes the connection, whose body
 * was not read to its end), so a client that trickles an upload holds its worker for about a
 * second, not until the body would end. Jetty's own per-request check lives in its servlet
 * layer; its {@code MinimumDataRateHandler} counts the bytes of all requests together and so
 * cannot tell a slow client.
 */
final class UploadRate extends Handler.Wrapper {

    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long bytesPerSecond;

    UploadRate(Handler handler, long bytesPerSecond) {
        super(handler);
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("an upload rate is positive, was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        return super.handle(new Measured(request, bytesPerSecond), response, callback);
    }

    /** The request, whose body reads fail once it falls below the rate. */
    private static final class Measured extends Request.Wrapper {

        private final long bytesPerSecond;
        /** When the first body bytes were read; {@code 0} before. Reads of one body do not overlap. */
        private long first;
        private long bytes;

        Measured(Request request, long bytesPerSecond) {
            super(request);
            this.bytesPerSecond = bytesPerSecond;
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            if (chunk == null || Content.Chunk.isFailure(chunk) || chunk.isLast()) {
                return chunk;
            }
            long now = System.nanoTime();
            if (bytes == 0) {
                first = now;
            }
            bytes += chunk.remaining();
            long elapsed = now - first;
            if (elapsed >= GRACE_NANOS && bytes < bytesPerSecond * elapsed / TimeUnit.SECONDS.toNanos(1)) {
                chunk.release();
                return Content.Chunk.from(new TimeoutException("request body arrived at less than " + bytesPerSecond + " bytes/s ("
                                + ServeLimits.MIN_UPLOAD_RATE + ")"), true);
            }
            return chunk;
        }
    }
}
