package io.keyhole.internal.jetty;

import jakarta.servlet.ServletRequest;
import org.eclipse.jetty.ee11.servlet.ServletContextRequest;

/** {@link ServletLayer#find} in Jetty's ee11 servlet layer (Jetty 12.1; Spring Boot 4.0). */
final class Ee11 {

    static ServletLayer.Exchange find(ServletRequest request) {
        ServletContextRequest c = ServletContextRequest.getServletContextRequest(request);
        return c == null ? null : new ServletLayer.Exchange(c.getServletChannel().getResponse(), c.getComponents().getByteBufferPool(),
                c.getServletContextResponse().getServletApiResponse(), c.getServletContextResponse().isWritingOrStreaming());
    }
}
