package io.keyhole;

/**
 * What is served below the mount, chosen once at start: a {@link TreeMount hashed tree} asked of
 * a backend, or a {@link MediaMount media root} served to signed URLs. Thread-safe.
 */
sealed interface Mount permits TreeMount, MediaMount {

    /**
     * Decides a request below the mount. Never throws for anything the client sent.
     *
     * @param rest the request path after the mount prefix, e.g. {@code abcdef0123}
     */
    Delivery decide(RequestView request, String rest);
}
