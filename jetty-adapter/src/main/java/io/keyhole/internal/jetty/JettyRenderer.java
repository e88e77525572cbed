package io.keyhole.internal.jetty;

import io.keyhole.Delivery;
import io.keyhole.servlet.spi.Renderer;
import io.keyhole.servlet.spi.StreamRenderer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ServletApiResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.util.Blocker;

/**
 * Renders through Jetty's core response instead of the servlet output stream, as Jetty's own
 * {@code ResourceServlet} does, so that file regions go out from pooled direct buffers or, from
 * 1 MiB, as mapped buffers (see {@link FileBody}). Keeps the servlet stream for a response
 * wrapped by another filter, or already written to, since the wrapper may need to see the bytes;
 * and for a single region of at most {@link #STREAM_LIMIT} bytes, which the servlet stream sends
 * with the headers in one write for less than the detour through the core response costs
 * (measured: BENCHMARKS.md). The first large body streamed because of a wrapper says so in the
 * log, once.
 */
final class JettyRenderer implements Renderer {

    static final int STREAM_LIMIT = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(JettyRenderer.class.getName());

    private final StreamRenderer stream = new StreamRenderer();
    private final AtomicBoolean warned = new AtomicBoolean();

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException {
        ServletContextRequest context = ServletContextRequest.getServletContextRequest(request);
        long single = send.multipart() != null ? Long.MAX_VALUE
                : send.ranges().isEmpty() ? send.file().size() : send.ranges().get(0).length();
        if (single <= STREAM_LIMIT) {
            stream.render(send, request, response);
            return;
        }
        String obstacle = context == null ? "the request is not Jetty's own (" + request.getClass().getName() + ")"
                : !(response instanceof ServletApiResponse) ? "the response is wrapped by "
                        + response.getClass().getName() + ", which may need to see the bytes"
                : context.getServletContextResponse().isWritingOrStreaming()
                        ? "the response was written to before Keyhole" : null;
        if (obstacle != null) {
            if (warned.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Jetty''s zero-copy path cannot be used here, so files above 64 KiB are"
                        + " streamed through the servlet output stream: {0}. Said once.", obstacle);
            }
            stream.render(send, request, response);
            return;
        }
        StreamRenderer.statusAndHeaders(send, response);
        if (send.bodiless()) {
            return;
        }
        try (Blocker.Callback done = Blocker.callback()) {
            FileBody.write(send, context.getServletChannel().getResponse(),
                    context.getComponents().getByteBufferPool(), done);
            done.block();
        }
    }

    @Override
    public String name() {
        return "jetty (core response above 64 KiB, mapped from 1 MiB; stream below)";
    }
}
