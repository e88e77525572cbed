package io.keyhole.internal.tomcat;

import io.keyhole.Delivery;
import io.keyhole.NameValue;
import io.keyhole.servlet.spi.StreamRenderer;
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

    // The names of a file's response, encoded once: Tomcat only reads the bytes it is given, so
    // every response may share them.
    private static final byte[] ETAG = ascii("ETag");
    private static final byte[] LAST_MODIFIED = ascii("Last-Modified");
    private static final byte[] ACCEPT_RANGES = ascii("Accept-Ranges");
    private static final byte[] CONTENT_RANGE = ascii("Content-Range");
    private static final byte[] CACHE_CONTROL = ascii("Cache-Control");
    private static final byte[] CONTENT_DISPOSITION = ascii("Content-Disposition");
    private static final byte[] NOSNIFF = ascii("X-Content-Type-Options");
    private static final byte[] CSP = ascii("Content-Security-Policy");

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
     * Sets the status and the headers of {@code delivery} (a file's or another answer's) on
     * {@code servletResponse}, as {@code StreamRenderer.statusAndHeaders} does, when it is
     * Tomcat's own response and not yet committed.
     *
     * @return whether it did; when not, nothing was set
     */
    boolean set(Delivery delivery, HttpServletResponse servletResponse) {
        if (servletResponse.getClass() != ResponseFacade.class) {
            return false;
        }
        Response tomcat;
        try {
            tomcat = (Response) response.invokeExact((ResponseFacade) servletResponse);
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            // a field getter throws nothing else; were it to, the servlet API still works
            return false;
        }
        if (tomcat == null || tomcat.isCommitted()) {
            return false;
        }
        MimeHeaders headers = tomcat.getCoyoteResponse().getMimeHeaders();
        servletResponse.setStatus(delivery.status());
        for (NameValue h : delivery.headers()) {
            String name = h.name();
            if (name.equalsIgnoreCase("Content-Length")) {
                servletResponse.setContentLengthLong(StreamRenderer.contentLength(delivery, h.value()));
            } else {
                byte[] n = name.equalsIgnoreCase("Content-Type") ? null : nameBytes(name);
                byte[] v = n == null ? null : wireBytes(h.value());
                if (v == null) {
                    servletResponse.addHeader(name, h.value());
                } else {
                    headers.addValue(n, 0, n.length).setBytes(v, 0, v.length);
                }
            }
        }
        return true;
    }

    private static byte[] nameBytes(String name) {
        return switch (name) {
            case "ETag" -> ETAG;
            case "Last-Modified" -> LAST_MODIFIED;
            case "Accept-Ranges" -> ACCEPT_RANGES;
            case "Content-Range" -> CONTENT_RANGE;
            case "Cache-Control" -> CACHE_CONTROL;
            case "Content-Disposition" -> CONTENT_DISPOSITION;
            case "X-Content-Type-Options" -> NOSNIFF;
            case "Content-Security-Policy" -> CSP;
            default -> wireBytes(name);
        };
    }

    private static byte[] ascii(String name) {
        return name.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * {@code s} as it goes on the wire when every character is tab or printable Latin-1, else
     * {@code null}: then the servlet API, whose value Tomcat checks itself.
     */
    static byte[] wireBytes(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        boolean question = false;
        for (byte b : bytes) {
            int c = b & 0xff;
            // one comparison for printable ASCII, nearly every byte of a header
            if ((c - 0x20 & 0xff) >= 0x5f) {
                if (c != '\t' && c < 0xa0) {
                    return null;
                }
            } else if (c == '?') {
                question = true;
            }
        }
        // what Latin-1 cannot encode became '?': only then are the characters looked at
        return question && !latin1(s) ? null : bytes;
    }

    private static boolean latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return false;
            }
        }
        return true;
    }
}
