package io.keyhole;

/**
 * The backend's answer: a decision and the file's metadata. Every field is optional
 * ({@code null} when the backend did not send it).
 *
 * @param status             an HTTP status: 200 grants; 304 answers "not modified"; a 4xx or 5xx is
 *                           relayed as the denial; {@code null} leaves it to the {@link AuthMatrix}
 * @param filename           name to present to the user (default {@code file})
 * @param contentType        media type (default {@code application/octet-stream})
 * @param contentDisposition {@code attachment} or anything else for inline
 * @param etag               entity tag, quoted or bare
 * @param length             size in bytes
 * @param uploadDate         Unix time in seconds, used as Last-Modified
 * @param error              a message for the log; never sent to the client
 * @param authValue          the credential value the answer is meant for; when present on an
 *                           answer without status and different from the request's, the answer
 *                           counts as empty (see {@link AuthMatrix})
 * @param cacheTtl           seconds this decision may be remembered, shortening the configured
 *                           {@code auth-cache-ttl} (a grant) or {@code auth-cache-negative-ttl}
 *                           (403, 404), 0 for not at all; ignored while the decision cache is off
 */
public record AuthResponse(Integer status, String filename, String contentType,
                           String contentDisposition, String etag, Long length, Long uploadDate,
                           String error, String authValue, Long cacheTtl) {

    /** An answer that carries nothing: no status, no metadata. */
    public static final AuthResponse EMPTY = new AuthResponse(null, null, null, null, null, null, null, null);

    /** An answer without {@code cache_ttl}. */
    public AuthResponse(Integer status, String filename, String contentType, String contentDisposition, String etag,
                        Long length, Long uploadDate, String error, String authValue) {
        this(status, filename, contentType, contentDisposition, etag, length, uploadDate, error, authValue, null);
    }

    /** An answer without {@code auth_value} and {@code cache_ttl}. */
    public AuthResponse(Integer status, String filename, String contentType, String contentDisposition, String etag,
                        Long length, Long uploadDate, String error) {
        this(status, filename, contentType, contentDisposition, etag, length, uploadDate, error, null, null);
    }

    /** A bare answer with only a status. */
    public static AuthResponse ofStatus(int status) {
        return new AuthResponse(status, null, null, null, null, null, null, null);
    }

    /** Whether the answer carries no metadata (status, error and auth value aside). */
    public boolean carriesNoMetadata() {
        return filename == null && contentType == null && contentDisposition == null && etag == null
                && length == null && uploadDate == null;
    }

    /**
     * Whether an answer without {@code status} counts as empty for a request with credential value
     * {@code requester}: it carries no metadata, or it names an {@code auth_value} other than the
     * requester's (the owner comparison of the authorisation matrix).
     */
    public boolean countsAsEmptyFor(String requester) {
        return carriesNoMetadata() || authValue != null && !authValue.equals(requester);
    }
}
