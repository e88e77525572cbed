package io.keyhole.auth;

import io.keyhole.RequestView;

/** Where a request's token is found: the Authorization header, a named header, or a named cookie. */
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

    record Bearer() implements TokenSource {
        @Override
        public String find(RequestView request) {
            throw new UnsupportedOperationException("pending");
        }
    }

    record Header(String name) implements TokenSource {
        @Override
        public String find(RequestView request) {
            throw new UnsupportedOperationException("pending");
        }
    }

    record Cookie(String name) implements TokenSource {
        @Override
        public String find(RequestView request) {
            throw new UnsupportedOperationException("pending");
        }
    }
}
