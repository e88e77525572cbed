package io.keyhole;

/**
 * The authorisation backend could not give a trustworthy answer. Carries what went wrong,
 * which backend, and how long Keyhole waited. Messages never contain credentials.
 */
public class AuthorizationException extends Exception {
    private static final long serialVersionUID = 1L;


    /** What went wrong, which also fixes the HTTP status the client sees. */
    public enum Kind {
        /** Backend absent or refusing connections: 503. */
        UNAVAILABLE(503),
        /** Backend did not answer within the deadline: 504. */
        TIMEOUT(504),
        /** Backend answered something that is not a valid answer: 502. */
        BAD_ANSWER(502);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        /** The HTTP status this failure maps to. */
        public int status() {
            return status;
        }
    }

    private final Kind kind;
    private final String backend;
    private final long elapsedMillis;

    public AuthorizationException(Kind kind, String backend, long elapsedMillis, String message, Throwable cause) {
        super(message + " (backend " + backend + ", after " + elapsedMillis + " ms)", cause);
        this.kind = kind;
        this.backend = backend;
        this.elapsedMillis = elapsedMillis;
    }

    public AuthorizationException(Kind kind, String backend, long elapsedMillis, String message) {
        this(kind, backend, elapsedMillis, message, null);
    }

    public Kind kind() {
        return kind;
    }

    /** A description of the backend, e.g. {@code unix:/run/auth.sock}. */
    public String backend() {
        return backend;
    }

    public long elapsedMillis() {
        return elapsedMillis;
    }
}
