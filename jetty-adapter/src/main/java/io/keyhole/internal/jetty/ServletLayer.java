package io.keyhole.internal.jetty;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.Response;

/**
 * Finds Jetty's core exchange below a request of one of Jetty's servlet layers: ee10 (a
 * {@code ServletContextHandler} or {@code WebAppContext} of jetty-ee10, Spring Boot 3.5) or ee11
 * (Spring Boot 4.0). The two hold the same classes in two packages, so each has a class of its
 * own here, {@link Ee10} and {@link Ee11}, compiled against it and loaded only where it runs.
 * Everything else {@link JettyRenderer} does is the same for both.
 */
@FunctionalInterface
interface ServletLayer {

    /** The exchange below {@code request} (wrapped or not), or {@code null} when it is not this layer's. */
    Exchange find(ServletRequest request);

    /**
     * Jetty's core exchange below one servlet request.
     *
     * @param response        the core response the body may be written to
     * @param pool            the server's buffer pool
     * @param servletResponse Jetty's own servlet response of the exchange, below any wrapper
     * @param written         whether the servlet response was written to already
     */
    record Exchange(Response response, ByteBufferPool pool, ServletResponse servletResponse, boolean written) {
    }
}
