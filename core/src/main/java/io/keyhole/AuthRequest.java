package io.keyhole;

import java.util.List;
import java.util.Objects;

/**
 * The question put to the authorisation backend for one request.
 *
 * <p>On the wire (see {@code io.keyhole.authorizer.JsonRequestType}) the seed protocol sends
 * {@code uri}, {@code jwt_value}, and, when extended JSON is on, {@code headers} and
 * {@code cookies}; the later protocol generation sends {@code file_id}, {@code auth_value} and
 * {@code http_method} instead of the first two. Uploads and deletes send {@code http_method} in
 * both generations, and an upload adds the stored file's metadata.
 *
 * @param uri        the request path, e.g. {@code /files/abcdef0123}
 * @param fileId     the validated file id taken from that path
 * @param method     the HTTP method, e.g. {@code GET}
 * @param authValue  the credential's value (the configured JWT claim), or {@code null} when the
 *                   request carried no credential or none is configured
 * @param headers    headers to forward, or {@code null} when none are to be sent
 * @param cookies    cookies to forward, or {@code null} when none are to be sent
 * @param stored     for an upload ({@code POST}): the file as it was just stored, whose id is
 *                   {@code fileId}; {@code null} for every other method
 */
public record AuthRequest(String uri, FileId fileId, String method, String authValue,
                          List<NameValue> headers, List<NameValue> cookies, StoredMetadata stored) {
    public AuthRequest {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(fileId, "fileId");
        Objects.requireNonNull(method, "method");
        headers = headers == null ? null : List.copyOf(headers);
        cookies = cookies == null ? null : List.copyOf(cookies);
        if (stored != null && !stored.id().equals(fileId)) {
            throw new IllegalArgumentException("the stored file " + stored.id() + " is not the file asked about, " + fileId);
        }
    }

    /** A question about an existing file: a download, or a delete. */
    public AuthRequest(String uri, FileId fileId, String method, String authValue,
                       List<NameValue> headers, List<NameValue> cookies) {
        this(uri, fileId, method, authValue, headers, cookies, null);
    }
}
