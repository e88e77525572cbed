package io.keyhole.internal.tomcat;

import io.keyhole.Delivery;
import io.keyhole.NameValue;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Response;
import org.apache.catalina.connector.ResponseFacade;
import org.apache.tomcat.util.http.MimeHeaders;

/**
 * Puts a file's response headers into Tomcat's own header list as bytes. Given as strings through
 * the servlet API, Tomcat encodes every name and every value again as it writes the response, each
 * with a new {@code CharsetEncoder}, and a file's response carries a dozen of them; as bytes they
 * are copied out as they are.
 *
 * <p>Only on Tomcat's own response with nothing around it ({@link #set} answers {@code false} for
 * anything else, and the caller goes through the servlet API): a wrapper that another filter put
 * around the response must see every header it is given, and an included response must drop them,
 * which Tomcat's wrappers do. Bytes skip the check Tomcat makes of string values, which turns
 * control characters into spaces: a value with a character outside printable Latin-1 and tab goes
 * through the servlet API instead, and gets that check. Status, {@code Content-Type} and
 * {@code Content-Length} always go through the servlet API, so that {@code getContentType()} and
 * the connector's own framing see them.
 */
final class TomcatHeaders {

    /** The field {@code ResponseFacade.response}: Tomcat's response behind the facade. */
    private final MethodHandle response;

    /**
     * @throws ReflectiveOperationException when this Tomcat's facade has no such field, or hides it
     */
    TomcatHeaders() throws ReflectiveOperationException {
        this.response = MethodHandles.privateLookupIn(ResponseFacade.class, MethodHandles.lookup())
                .findGetter(ResponseFacade.class, "response", Response.class);
    }

    /**
     * Sets the status and the headers of {@code send} on {@code servletResponse}, as
     * {@code StreamRenderer.statusAndHeaders} does, when it is Tomcat's own response and not yet
     * committed.
     *
     * @return whether it did; when not, nothing was set
     */
    boolean set(Delivery.Send send, HttpServletResponse servletResponse) {
        if (servletResponse.getClass() != ResponseFacade.class) {
            return false;
        }
        Response tomcat;
        try {
            tomcat = (Response) response.invokeExact((ResponseFacade) servletResponse);
        } catch (Throwable e) {
            return false;
        }
        if (tomcat == null || tomcat.isCommitted()) {
            return false;
        }
        MimeHeaders headers = tomcat.getCoyoteResponse().getMimeHeaders();
        servletResponse.setStatus(send.status());
        for (NameValue h : send.headers()) {
            String name = h.name();
            if (name.equalsIgnoreCase("Content-Length")) {
                servletResponse.setContentLengthLong(send.contentLength());
            } else if (name.equalsIgnoreCase("Content-Type") || !plain(name) || !plain(h.value())) {
                servletResponse.addHeader(name, h.value());
            } else {
                byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
                byte[] v = h.value().getBytes(StandardCharsets.ISO_8859_1);
                headers.addValue(n, 0, n.length).setBytes(v, 0, v.length);
            }
        }
        return true;
    }

    /** Whether every character of {@code s} goes on the wire unchanged: tab, or printable Latin-1. */
    static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' || c >= 0x7f && c < 0xa0 || c > 0xff) {
                return false;
            }
        }
        return true;
    }
}
