package io.keyhole;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cross-origin reads by browser scripts (CORS, the Fetch standard): which origins may read the
 * answers, and whether they may send cookies or HTTP authentication with their requests.
 * Off unless origins are listed; {@code *} lets every origin read, and is refused together with
 * credentials. Every answer of a mount with CORS says {@code Vary: Origin}; an allowed origin's
 * answers also name it in {@code Access-Control-Allow-Origin} and expose the headers a script
 * needs for ranges and caching ({@code ETag}, {@code Content-Range}, …). A preflight
 * {@code OPTIONS} is answered 204 for an allowed origin and method, 403 otherwise.
 *
 * @param origins     allowed origins, each {@code scheme://host[:port]}, or {@code *}
 * @param credentials whether {@code Access-Control-Allow-Credentials: true} is sent
 */
public record Cors(List<String> origins, boolean credentials) {

    /** No cross-origin reads: no CORS header at all. */
    public static final Cors NONE = new Cors(List.of(), false);

    /** What scripts of an allowed origin may read beyond the safelisted headers. */
    static final String EXPOSED = "ETag, Content-Range, Content-Disposition, Content-Length, Accept-Ranges, Location";
    /** Request headers a preflight allows: credentials, conditionals, ranges, upload bodies. */
    static final List<String> ALLOWED_HEADERS = List.of("Authorization", "Range", "If-Range", "If-None-Match",
            "If-Modified-Since", "If-Match", "If-Unmodified-Since", "Content-Type");
    /** How long a browser may reuse a preflight's answer, in seconds. */
    static final int MAX_AGE = 600;

    /** @throws IllegalArgumentException naming {@code cors-origins} or {@code cors-credentials} */
    public Cors {
        List<String> normal = new ArrayList<>(origins.size());
        for (String origin : origins) {
            normal.add(normalise(origin));
        }
        origins = List.copyOf(normal);
        if (credentials && origins.contains("*")) {
            throw new IllegalArgumentException("cors-credentials=yes needs the origins listed by name: browsers refuse"
                    + " credentials with Access-Control-Allow-Origin: *");
        }
        if (credentials && origins.isEmpty()) {
            throw new IllegalArgumentException("cors-credentials=yes needs cors-origins");
        }
    }

    /** Whether any origin may read. */
    public boolean enabled() {
        return !origins.isEmpty();
    }

    private static String normalise(String origin) {
        String o = origin.strip();
        if (o.equals("*")) {
            return o;
        }
        URI uri;
        try {
            uri = new URI(o);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cors-origins: '" + o + "' is not an origin such as https://app.example.org", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawUserInfo() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("cors-origins: '" + o + "' is not an origin: scheme, host and port only,"
                    + " no path or trailing slash, e.g. https://app.example.org");
        }
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    }

    /** The {@code Access-Control-Allow-Origin} for a request from {@code origin}, or {@code null} when refused. */
    String allow(String origin) {
        if (origin == null) {
            return null;
        }
        if (origins.contains("*")) {
            return "*";
        }
        return origins.contains(origin) ? origin : null;
    }

    /**
     * The answer to {@code OPTIONS} below the mount: a preflight's verdict, or the methods there are.
     *
     * @param methods     what the mount accepts, e.g. {@code GET, HEAD}
     * @param tokenHeader a header the credential travels in besides {@code Authorization}, or {@code null}
     */
    Delivery options(RequestView request, String methods, String tokenHeader) {
        String origin = request.first("Origin");
        String method = request.first("Access-Control-Request-Method");
        if (origin == null || method == null) {
            return decorate(request, new Delivery.Reply(204, List.of(new NameValue("Allow", methods + ", OPTIONS"),
                    new NameValue("Cache-Control", "no-store")), null));
        }
        String allowed = allow(origin);
        List<String> headers = new ArrayList<>(ALLOWED_HEADERS);
        if (tokenHeader != null) {
            headers.add(tokenHeader);
        }
        List<String> methodList = List.of(methods.split(", "));
        List<String> asked = new ArrayList<>();
        for (String h : request.values("Access-Control-Request-Headers")) {
            for (String one : h.split(",")) {
                if (!one.isBlank()) {
                    asked.add(one.strip());
                }
            }
        }
        boolean headersOk = asked.stream().allMatch(a -> headers.stream().anyMatch(a::equalsIgnoreCase));
        List<NameValue> vary = List.of(new NameValue("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"));
        if (allowed == null || !methodList.contains(method) || !headersOk) {
            List<NameValue> out = new ArrayList<>(vary);
            out.add(new NameValue("Cache-Control", "no-store"));
            return new Delivery.Reply(403, out, allowed == null ? "origin not allowed"
                    : !methodList.contains(method) ? "method not allowed" : "request header not allowed");
        }
        List<NameValue> out = new ArrayList<>();
        out.add(new NameValue("Access-Control-Allow-Origin", allowed));
        if (credentials) {
            out.add(new NameValue("Access-Control-Allow-Credentials", "true"));
        }
        out.add(new NameValue("Access-Control-Allow-Methods", methods));
        out.add(new NameValue("Access-Control-Allow-Headers", String.join(", ", headers)));
        out.add(new NameValue("Access-Control-Max-Age", Integer.toString(MAX_AGE)));
        out.addAll(vary);
        out.add(new NameValue("Cache-Control", "no-store"));
        return new Delivery.Reply(204, out, null);
    }

    /** {@code delivery} with the CORS headers for {@code request}'s origin added; {@link Delivery.Pass} as it is. */
    Delivery decorate(RequestView request, Delivery delivery) {
        List<NameValue> extra = new ArrayList<>(5);
        String allowed = allow(request.first("Origin"));
        if (allowed != null) {
            extra.add(new NameValue("Access-Control-Allow-Origin", allowed));
            if (credentials) {
                extra.add(new NameValue("Access-Control-Allow-Credentials", "true"));
            }
            extra.add(new NameValue("Access-Control-Expose-Headers", EXPOSED));
        }
        if (!origins.contains("*")) {
            extra.add(new NameValue("Vary", "Origin"));
        }
        if (extra.isEmpty()) {
            return delivery;
        }
        if (delivery instanceof Delivery.Send s) {
            return new Delivery.Send(s.status(), concat(s.headers(), extra), s.file(), s.ranges(), s.multipart(),
                    s.contentLength(), s.bodiless());
        }
        if (delivery instanceof Delivery.Reply r) {
            return new Delivery.Reply(r.status(), concat(r.headers(), extra), r.message());
        }
        if (delivery instanceof Delivery.Redirect r) {
            return new Delivery.Redirect(r.status(), concat(r.headers(), extra));
        }
        return delivery;
    }

    private static List<NameValue> concat(List<NameValue> first, List<NameValue> second) {
        List<NameValue> all = new ArrayList<>(first.size() + second.size());
        all.addAll(first);
        all.addAll(second);
        return all;
    }
}
