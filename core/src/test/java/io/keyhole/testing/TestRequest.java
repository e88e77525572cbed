package io.keyhole.testing;

import io.keyhole.NameValue;
import io.keyhole.RequestView;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A request as an adapter hands it to the core, for tests of the core alone. Its path is what an
 * adapter reads from the container: below the context, decoded and normalised. Immutable; the
 * {@code with…} methods return modified copies. For tests in every module (core's test-jar).
 *
 * <pre>{@code
 * TestRequest.get("/files/" + id, "Range: bytes=0-9").withQuery("token=" + token)
 * }</pre>
 *
 * @param query       the raw query string, or {@code null}
 * @param contextPath the application's context path, {@code ""} for the root
 * @param body        the body, or {@code null}: then reading it fails the test, which is what a
 *                    request that must not be read (a GET, a refused upload) wants
 * @param remoteAddress the peer's address, {@code null} (unknown) by default
 */
public record TestRequest(String method, String path, String query, List<NameValue> headers, List<NameValue> cookies,
                          String contextPath, InputStream body, String remoteAddress) implements RequestView {

    public TestRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        headers = List.copyOf(headers);
        cookies = List.copyOf(cookies);
        Objects.requireNonNull(contextPath, "contextPath");
    }

    public TestRequest(String method, String path, String query, List<NameValue> headers, List<NameValue> cookies,
                       String contextPath, InputStream body) {
        this(method, path, query, headers, cookies, contextPath, body, null);
    }

    /** A GET of {@code path} with header lines such as {@code "Range: bytes=0-9"}. */
    public static TestRequest get(String path, String... headerLines) {
        List<NameValue> headers = new ArrayList<>(headerLines.length);
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            headers.add(new NameValue(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        return new TestRequest("GET", path, null, headers, List.of(), "", null);
    }

    public TestRequest withMethod(String m) {
        return new TestRequest(m, path, query, headers, cookies, contextPath, body, remoteAddress);
    }

    public TestRequest withQuery(String q) {
        return new TestRequest(method, path, q, headers, cookies, contextPath, body, remoteAddress);
    }

    /** This request with {@code name: value} added after its other headers. */
    public TestRequest withHeader(String name, String value) {
        List<NameValue> more = new ArrayList<>(headers);
        more.add(new NameValue(name, value));
        return withHeaders(more);
    }

    /** This request with exactly {@code h} as its headers. */
    public TestRequest withHeaders(List<NameValue> h) {
        return new TestRequest(method, path, query, h, cookies, contextPath, body, remoteAddress);
    }

    public TestRequest withCookies(List<NameValue> c) {
        return new TestRequest(method, path, query, headers, c, contextPath, body, remoteAddress);
    }

    public TestRequest withContextPath(String c) {
        return new TestRequest(method, path, query, headers, cookies, c, body, remoteAddress);
    }

    public TestRequest withBody(InputStream b) {
        return new TestRequest(method, path, query, headers, cookies, contextPath, b, remoteAddress);
    }

    /** This request as coming from {@code address}, e.g. {@code 127.0.0.1}. */
    public TestRequest from(String address) {
        return new TestRequest(method, path, query, headers, cookies, contextPath, body, address);
    }

    /** Without streams or copies for an absent field, as a container's view reads: benchmarks use this too. */
    @Override
    public List<String> values(String name) {
        List<String> found = null;
        String one = null;
        for (NameValue h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                if (one == null) {
                    one = h.value();
                } else {
                    if (found == null) {
                        found = new ArrayList<>();
                        found.add(one);
                    }
                    found.add(h.value());
                }
            }
        }
        return found != null ? List.copyOf(found) : one != null ? List.of(one) : List.of();
    }

    @Override
    public String first(String name) {
        for (NameValue h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    @Override
    public InputStream body() {
        if (body == null) {
            throw new AssertionError("the body of " + method + " " + path + " was read");
        }
        return body;
    }
}
