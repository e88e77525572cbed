package io.keyhole.http;

/**
 * Conditional requests and ranges, as a pure function (RFC 9110 §13.2.2 and §14).
 *
 * <p>Order: If-Match, else If-Unmodified-Since; then If-None-Match, else If-Modified-Since
 * (GET and HEAD only); then Range (GET only), guarded by If-Range (strong comparison only).
 */
public final class Preconditions {

    private Preconditions() {
    }

    /**
     * Decides how to answer a GET or HEAD for {@code representation}.
     *
     * @param method         the request method
     * @param headers        the request's header fields
     * @param representation the selected representation
     * @param maxRanges      the most ranges one request may ask for; more → the Range header is
     *                       ignored and the whole representation is sent (RFC 9110 §14.2 allows it)
     */
    public static Outcome evaluate(String method, RequestHeaders headers, Representation representation,
                                   int maxRanges) {
        throw new UnsupportedOperationException("pending");
    }
}
