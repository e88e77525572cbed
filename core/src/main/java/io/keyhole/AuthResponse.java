package io.keyhole;

/**
 * The backend's answer: a decision and the file's metadata. Every field is optional
 * ({@code null} when the backend did not send it).
 *
 * @param status             an HTTP status; {@code null} or 200 grants; 304 answers "not modified";
 *                           anything else is relayed as the denial status
 * @param filename           name to present to the user (default {@code file})
 * @param contentType        media type (default {@code application/octet-stream})
 * @param contentDisposition {@code attachment} or anything else for inline
 * @param etag               entity tag, quoted or bare
 * @param length             size in bytes
 * @param uploadDate         Unix time in seconds, used as Last-Modified
 * @param error              a message for the log; never sent to the client
 */
public record AuthResponse(Integer status, String filename, String contentType,
                           String contentDisposition, String etag, Long length, Long uploadDate,
                           String error) {

    /** An answer that carries nothing: no status, no metadata. */
    public static final AuthResponse EMPTY = new AuthResponse(null, null, null, null, null, null, null, null);

    /** A bare answer with only a status. */
    public static AuthResponse ofStatus(int status) {
        return new AuthResponse(status, null, null, null, null, null, null, null);
    }

    /** True when the answer grants delivery: no status, or status 200. */
    public boolean grants() {
        return status == null || status == 200;
    }
}
