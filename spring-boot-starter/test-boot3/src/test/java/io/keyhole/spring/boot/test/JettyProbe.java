package io.keyhole.spring.boot.test;

import jakarta.servlet.ServletRequest;
import java.lang.reflect.Method;

/**
 * Jetty's side of the probe, loaded only when Jetty serves. Boot 3.5 runs Jetty's ee10 servlet
 * layer, Boot 4.0 its ee11 one: the same classes in two packages, so they are found by name.
 */
final class JettyProbe {

    private JettyProbe() {
    }

    /** Bytes the request's response wrote through the servlet output stream. */
    static long servletStreamBytes(ServletRequest request) {
        for (String ee : new String[] {"ee10", "ee11"}) {
            Class<?> type;
            try {
                type = Class.forName("org.eclipse.jetty." + ee + ".servlet.ServletContextRequest");
            } catch (ClassNotFoundException e) {
                continue;
            }
            try {
                Method find = type.getMethod("getServletContextRequest", ServletRequest.class);
                Object contextRequest = find.invoke(null, request);
                if (contextRequest == null) {
                    continue;
                }
                Object response = type.getMethod("getServletContextResponse").invoke(contextRequest);
                Object output = response.getClass().getMethod("getHttpOutput").invoke(response);
                return (Long) output.getClass().getMethod("getWritten").invoke(output);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("Jetty's " + ee + " servlet layer is not as expected", e);
            }
        }
        throw new AssertionError("not served by Jetty's ee10 or ee11 servlet layer");
    }
}
