package io.keyhole;

import io.keyhole.http.RequestHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * What the core needs to know of one HTTP request. Adapters (servlet filter, Jetty handler,
 * Tomcat valve) implement it over their own request object; the core never sees a container type.
 */
public interface RequestView extends RequestHeaders {

    /** The method token as received, e.g. {@code GET}. */
    String method();

    /**
     * The request path below the application's context as the container mapped it: percent-decoded
     * once, normalised ({@code .} and {@code ..} segments resolved, path parameters such as
     * {@code ;jsessionid=} removed), no query string, e.g. {@code /files/abcdef0123}. Routing on
     * anything else would let a request the container hands to Keyhole look like one outside the
     * mount ({@code /fil%65s/…}, {@code /files;x/…}) and pass it on unauthorised.
     */
    String path();

    /** The raw query string without the leading {@code ?}, or {@code null} when there is none. */
    String query();

    /** Every header field in the order received (one entry per value). */
    List<NameValue> headers();

    /** Every cookie the request carries, in the order received. */
    List<NameValue> cookies();

    /**
     * The request body, read once and not closed by the core. Only uploads read it; the default
     * is empty, for views that never carry one.
     */
    default InputStream body() throws IOException {
        return InputStream.nullInputStream();
    }

    /**
     * The client's IP address as the container reports it (behind a proxy, what the container's
     * forwarded-header handling made of it), e.g. {@code 203.0.113.7}; {@code null} when unknown.
     * Media tokens bound to a client address are checked against it, and a diagnostic page says
     * more than a status only to a loopback peer without forwarding headers (an operator on the
     * machine itself).
     */
    default String remoteAddress() {
        return null;
    }

    /**
     * The application's context path ({@code ""} for the root context, else e.g. {@code /app}):
     * what precedes {@link #path()} in a URL the client can follow.
     */
    default String contextPath() {
        return "";
    }
}
