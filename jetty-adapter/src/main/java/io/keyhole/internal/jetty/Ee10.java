package io.keyhole.internal.jetty;

import jakarta.servlet.ServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/** {@link ServletLayer#find} in Jetty's ee10 servlet layer (Jetty 12.0 and 12.1; Spring Boot 3.5). */
final class Ee10 {

    static ServletLayer.Exchange find(ServletRequest request) {
        ServletContextRequest c = ServletContextRequest.getServletContextRequest(request);
        return c == null ? null : new ServletLayer.Exchange(c.getServletChannel().getResponse(), c.getComponents().getByteBufferPool(),
                c.getServletContextResponse().getServletApiResponse(), c.getServletContextResponse().isWritingOrStreaming());
    }
}
