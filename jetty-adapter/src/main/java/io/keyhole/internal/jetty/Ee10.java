package io.keyhole.internal.jetty;

import jakarta.servlet.ServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/** {@link ServletLayer} of Jetty's ee10 servlet layer. */
final class Ee10 {

    static ServletLayer.Exchange find(ServletRequest request) {
        ServletContextRequest c = ServletContextRequest.getServletContextRequest(request);
        return c == null ? null : new ServletLayer.Exchange(c.getServletChannel().getResponse(), c.getComponents().getByteBufferPool(),
                c.getServletContextResponse().getServletApiResponse(), c.getServletContextResponse().isWritingOrStreaming());
    }
}
