package io.keyhole.spring.boot.test;

import jakarta.servlet.ServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/** Jetty's side of the probe, loaded only when Jetty serves. */
final class JettyProbe {

    private JettyProbe() {
    }

    /** Bytes the request's response wrote through the servlet output stream. */
    static long servletStreamBytes(ServletRequest request) {
        return ServletContextRequest.getServletContextRequest(request).getServletContextResponse().getHttpOutput()
                .getWritten();
    }
}
