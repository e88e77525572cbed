package io.keyhole.internal.jetty;

import io.keyhole.Delivery;
import io.keyhole.servlet.spi.Renderer;
import io.keyhole.servlet.spi.StreamRenderer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
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
 * (measured: BENCHMARKS.md).
 */
final class JettyRenderer implements Renderer {

    static final int STREAM_LIMIT = 64 * 1024;

    private final StreamRenderer stream = new StreamRenderer();

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException {
        ServletContextRequest context = ServletContextRequest.getServletContextRequest(request);
        long single = send.multipart() != null ? Long.MAX_VALUE
                : send.ranges().isEmpty() ? send.file().size() : send.ranges().get(0).length();
        if (single <= STREAM_LIMIT || context == null || !(response instanceof ServletApiResponse)
                || context.getServletContextResponse().isWritingOrStreaming()) {
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
