package io.keyhole.internal;

import io.keyhole.Delivery;
import io.keyhole.DeliveryMode;
import io.keyhole.NameValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A granted file handed to the front server: the answer names it with {@code X-Accel-Redirect}
 * (nginx; a URI) or {@code X-Sendfile} (Apache, lighttpd; a file-system path), both
 * percent-encoded, carries the representation headers and no body. The front server frames the
 * body and applies Range. Every adapter that offloads copies the {@link Delivery.Reply} made here.
 *
 * <p>Only the file's relative path is used; the engine has closed the file it opened to answer
 * conditionals. The front server then opens the <em>name</em> itself, following links: whoever
 * may write into the tree can choose what it sends, so in these modes the tree must be writable
 * by trusted processes only. Streaming has no such trust: it sends the file that was opened.
 *
 * @param mode   {@code x-accel-redirect} or {@code x-sendfile}
 * @param prefix what goes before the file's relative path ({@code accel-prefix})
 */
public record Offload(DeliveryMode mode, String prefix) {

    /** Framing headers belong to the front server, which sends the body. */
    private static final List<String> FRAMING = List.of("Content-Length", "Content-Range", "Accept-Ranges");

    public Offload {
        Objects.requireNonNull(prefix, "prefix");
        if (!mode.offloaded()) {
            throw new IllegalArgumentException(mode + " is not an offloading mode");
        }
    }

    /** The answer that lets the front server send {@code send}'s file: 200, its headers but framing, the internal name. */
    public Delivery.Reply reply(Delivery.Send send) {
        List<NameValue> headers = new ArrayList<>(send.headers().size() + 2);
        for (NameValue h : send.headers()) {
            if (!framing(h.name())) {
                headers.add(h);
            }
        }
        // Apache's mod_xsendfile (XSendFileUnescape, on by default) and lighttpd decode X-Sendfile
        // as a URL path; raw, a character above U+00FF would reach them as whatever the container
        // made of it (Jetty and Tomcat: '?' or a space), naming another file.
        headers.add(new NameValue(mode == DeliveryMode.X_ACCEL_REDIRECT ? "X-Accel-Redirect" : "X-Sendfile",
                percentEncodePath(prefix + send.file().relativePath())));
        headers.add(new NameValue("Content-Length", "0"));
        return new Delivery.Reply(200, headers, null);
    }

    private static boolean framing(String name) {
        for (String f : FRAMING) {
            if (f.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Encodes everything outside the RFC 3986 unreserved set and {@code /}, so the value can
     * never carry CR, LF, {@code ?} or a space into the front server's internal redirect (nor
     * into a media URL, which encodes its path the same way).
     */
    public static String percentEncodePath(String path) {
        int i = 0;
        while (i < path.length() && unreserved(path.charAt(i))) {
            i++;
        }
        if (i == path.length()) {
            return path; // a hashed tree's names are hex: nothing to encode
        }
        StringBuilder out = new StringBuilder(path.length() + 16);
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (unreserved(c)) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** RFC 3986's unreserved characters and the path separator, which pass unencoded. */
    private static boolean unreserved(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    }
}
