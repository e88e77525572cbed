package io.keyhole.servlet;

import io.keyhole.Delivery;
import io.keyhole.DeliveryMode;
import io.keyhole.NameValue;
import io.keyhole.servlet.spi.Renderer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Lets the front server send the bytes: answers with {@code X-Accel-Redirect} (nginx; a URI) or
 * {@code X-Sendfile} (Apache, lighttpd; a file-system path), both percent-encoded, plus the
 * representation headers, and no body. The front server frames the body and applies Range.
 *
 * <p>Only the file's relative path is used; the engine has closed the file it opened to answer
 * conditionals. The front server then opens the <em>name</em> itself, following links: whoever
 * may write into the tree can choose what it sends, so in these modes the tree must be writable
 * by trusted processes only. Streaming has no such trust: it sends the file that was opened.
 */
final class OffloadRenderer implements Renderer {

    /** Framing headers belong to the front server, which sends the body. */
    private static final Set<String> FRAMING = Set.of("content-length", "content-range", "accept-ranges");

    private final DeliveryMode mode;
    private final String prefix;

    OffloadRenderer(DeliveryMode mode, String prefix) {
        if (!mode.offloaded()) {
            throw new IllegalArgumentException(mode + " is not an offloading mode");
        }
        this.mode = mode;
        this.prefix = prefix;
    }

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_OK);
        for (NameValue h : send.headers()) {
            if (!FRAMING.contains(h.name().toLowerCase(java.util.Locale.ROOT))) {
                response.addHeader(h.name(), h.value());
            }
        }
        String relative = send.file().relativePath();
        if (mode == DeliveryMode.X_ACCEL_REDIRECT) {
            response.setHeader("X-Accel-Redirect", percentEncodePath(prefix + relative));
        } else {
            // Apache's mod_xsendfile (XSendFileUnescape, on by default) and lighttpd decode the value
            // as a URL path; raw, a character above U+00FF would reach them as whatever the
            // container made of it (Jetty and Tomcat: '?' or a space), naming another file.
            response.setHeader("X-Sendfile", percentEncodePath(prefix + relative));
        }
        response.setContentLength(0);
    }

    /**
     * Encodes everything outside the RFC 3986 unreserved set and {@code /}, so the value can
     * never carry CR, LF, {@code ?} or a space into the front server's internal redirect.
     */
    static String percentEncodePath(String path) {
        StringBuilder out = new StringBuilder(path.length() + 16);
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public String name() {
        return mode.key();
    }
}
