package io.keyhole;

/**
 * Decides whether one request may have one file, and supplies the file's metadata.
 *
 * <p>This is the one interface applications implement (or get from a request type and a
 * transport, see {@code io.keyhole.authorizer.Authorizers}). Implementations must be thread-safe:
 * the filter calls one instance from many request threads at once. They must bound their own
 * waiting (connect and answer deadlines) and report a backend that is unreachable, slow or
 * incoherent by throwing {@link AuthorizationException}; Keyhole then fails closed with 502,
 * 503 or 504 and sends no file.
 */
@FunctionalInterface
public interface Authorizer {

    /**
     * Asks the backend about one request.
     *
     * @return the answer; never {@code null}
     * @throws AuthorizationException when no trustworthy answer could be had
     */
    AuthResponse authorize(AuthRequest request) throws AuthorizationException;

    /**
     * Checks that the backend can be reached, without asking about any file: for health checks.
     * Keyhole's own authorisers connect (a socket, a TCP or HTTP connection, a database
     * connection that answers) within their connect deadline and hang up. The default cannot
     * tell and returns {@code false}.
     *
     * @return {@code true} when the backend was reached, {@code false} when this authoriser cannot check
     * @throws AuthorizationException when it could not be reached
     */
    default boolean probe() throws AuthorizationException {
        return false;
    }
}
