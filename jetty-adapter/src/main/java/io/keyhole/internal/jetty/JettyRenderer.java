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
 * {@code ResourceServlet} does: large regions as mapped buffers, small ones in one pooled read
 * (see {@link FileBody}). A response wrapped by another filter, or already written to, keeps
 * the servlet stream, since the wrapper may need to see the bytes.
 */
final class JettyRenderer implements Renderer {

    private final StreamRenderer stream = new StreamRenderer();

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException {
        ServletContextRequest context = ServletContextRequest.getServletContextRequest(request);
        if (context == null || !(response instanceof ServletApiResponse)
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
        return "jetty (core response: mapped files above 64 KiB, one pooled read below)";
    }
}
