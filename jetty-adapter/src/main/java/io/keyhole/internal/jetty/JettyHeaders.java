package io.keyhole.internal.jetty;

import io.keyhole.Delivery;
import io.keyhole.NameValue;
import io.keyhole.servlet.spi.StreamRenderer;
import jakarta.servlet.http.HttpServletResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Makes Jetty's fields of the headers Keyhole's answers carry without looking their names up.
 * Given a name as a string, Jetty looks for its {@link HttpHeader} in a trie for every field it
 * adds, a dozen times for a file's answer; the names Keyhole's answers use are looked up here
 * once. Any other name goes Jetty's way. Values are untouched: Jetty still checks them as it
 * writes them (control characters become spaces), as for every field.
 */
public final class JettyHeaders {

    /** The names of Keyhole's answers, each with Jetty's {@link HttpHeader}, or none where Jetty has no such constant. */
    private static final Map<String, Named> KNOWN = new HashMap<>();

    private record Named(HttpHeader header) {
    }

    static {
        for (String name : List.of("Accept-Post", "Accept-Ranges", "Access-Control-Allow-Credentials",
                "Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin",
                "Access-Control-Expose-Headers", "Access-Control-Max-Age", "Allow", "Cache-Control",
                "Content-Disposition", "Content-Length", "Content-Range", "Content-Security-Policy", "Content-Type",
                "ETag", "Last-Modified", "Location", "Referrer-Policy", "Retry-After", "Set-Cookie", "Vary",
                "WWW-Authenticate", "X-Accel-Redirect", "X-Content-Type-Options", "X-Sendfile")) {
            // what Jetty itself finds for the name, found once
            KNOWN.put(name, new Named(new HttpField(name, "").getHeader()));
        }
    }

    private JettyHeaders() {
    }

    /** The field {@code name: value}, as {@code new HttpField(name, value)} makes it, without the look-up for Keyhole's names. */
    public static HttpField field(String name, String value) {
        return field(KNOWN.get(name), name, value);
    }

    private static HttpField field(Named known, String name, String value) {
        return known != null ? new HttpField(known.header(), name, value) : new HttpField(name, value);
    }

    /**
     * Sets the status and the headers of {@code delivery} as
     * {@link StreamRenderer#statusAndHeaders(Delivery, HttpServletResponse)} does, the headers
     * added to {@code fields}, which must be those behind {@code response}'s own
     * {@code addHeader}: Jetty's servlet response, not a wrapper around it. Status and
     * {@code Content-Length} still go through the servlet API; {@code Content-Type} reaches the
     * servlet layer through the fields as it does from {@code addHeader}.
     */
    static void set(Delivery delivery, HttpServletResponse response, HttpFields.Mutable fields) {
        response.setStatus(delivery.status());
        for (NameValue h : delivery.headers()) {
            String name = h.name();
            Named known = KNOWN.get(name);
            if (known != null ? known.header() == HttpHeader.CONTENT_LENGTH : name.equalsIgnoreCase("Content-Length")) {
                response.setContentLengthLong(StreamRenderer.contentLength(delivery, h.value()));
            } else {
                fields.add(field(known, name, h.value()));
            }
        }
    }
}
