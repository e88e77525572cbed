package io.keyhole.credential;

import io.keyhole.NameValue;
import io.keyhole.RequestView;
import java.util.Objects;

/**
 * Where a request's token is found: the Authorization header, a named header, or a named cookie.
 * Sources only find text; {@link JwtVerifier} decides whether it is a valid token.
 */
public sealed interface TokenSource {

    /** The raw token, or {@code null} when the request carries none here. */
    String find(RequestView request);

    /** {@code Authorization: Bearer <token>} (scheme case-insensitive, RFC 6750). */
    static TokenSource bearer() {
        return new Bearer();
    }

    /** A header whose whole value is the token, e.g. {@code X-Custom-JWT}. */
    static TokenSource header(String name) {
        return new Header(name);
    }

    /** A cookie whose value is the token. */
    static TokenSource cookie(String name) {
        return new Cookie(name);
    }

    /**
     * The first {@code Authorization} value whose scheme is {@code Bearer} (any case), followed by
     * one or more spaces and a token68 (RFC 6750 §2.1, RFC 9110 §11.2); a value of another shape
     * yields no token rather than a guess.
     */
    record Bearer() implements TokenSource {
        @Override
        public String find(RequestView request) {
            for (String value : request.values("Authorization")) {
                if (value != null && hasScheme(value, "Bearer")) {
                    return token68(value, "Bearer".length());
                }
            }
            return null;
        }

        private static boolean hasScheme(String value, String scheme) {
            int n = scheme.length();
            return value.length() > n && value.regionMatches(true, 0, scheme, 0, n) && value.charAt(n) == ' ';
        }

        /** The token68 after the scheme and its spaces, or {@code null} when there is none. */
        private static String token68(String value, int schemeLength) {
            int start = schemeLength;
            while (start < value.length() && value.charAt(start) == ' ') {
                start++;
            }
            int end = value.length();
            // Header values exclude surrounding whitespace (RFC 9110 §5.5); a container may not have trimmed.
            while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
                end--;
            }
            int i = start;
            while (i < end && isToken68Char(value.charAt(i))) {
                i++;
            }
            if (i == start) {
                return null;
            }
            while (i < end && value.charAt(i) == '=') {
                i++;
            }
            return i == end ? value.substring(start, end) : null;
        }

        private static boolean isToken68Char(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
        }
    }

    /**
     * The first value of the named header, trimmed; a leading {@code Bearer } is dropped, so a
     * client that sends {@code X-Custom-JWT: Bearer <token>} works too.
     *
     * @param name the header's name, matched case-insensitively
     */
    record Header(String name) implements TokenSource {
        public Header {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("header name must not be blank");
            }
        }

        @Override
        public String find(RequestView request) {
            String value = request.first(name);
            if (value == null) {
                return null;
            }
            value = value.trim();
            if (value.length() > 7 && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                value = value.substring(7).trim();
            }
            return value.isEmpty() ? null : value;
        }
    }

    /**
     * The value of the first cookie with exactly this name.
     *
     * @param name the cookie's name, matched exactly: cookie names are case-sensitive
     */
    record Cookie(String name) implements TokenSource {
        public Cookie {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("cookie name must not be blank");
            }
        }

        @Override
        public String find(RequestView request) {
            for (NameValue cookie : request.cookies()) {
                if (cookie.name().equals(name)) {
                    return cookie.value().isEmpty() ? null : cookie.value();
                }
            }
            return null;
        }
    }
}
