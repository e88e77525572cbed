package io.keyhole.auth;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;

/**
 * The JSON exchange of the nginx module, field for field.
 *
 * <p>Request (seed generation): {@code {"uri": "...", "jwt_value": "..."}} plus, when extended,
 * {@code "headers": [{"name","value"}...]} and {@code "cookies": [...]}. {@code jwt_value} is left
 * out when the request has no credential value; {@code headers}/{@code cookies} are left out when
 * the {@link AuthRequest} carries {@code null} for them.
 *
 * <p>Answer: {@code status}, {@code filename}, {@code content_type}, {@code content_disposition}
 * (the seed's misspelt {@code content_dispostion} is accepted too), {@code etag}, {@code length},
 * {@code upload_date}, {@code error}; unknown fields are ignored; an empty body or {@code {}} is
 * an empty answer.
 */
public final class JsonRequestType implements RequestType {

    /** Which generation's request field names to send. */
    public enum Fields {
        /** {@code uri}, {@code jwt_value}. */
        SEED,
        /** {@code file_id}, {@code auth_value}, {@code http_method}. */
        LATER
    }

    /** The seed generation's field names. */
    public JsonRequestType() {
        this(Fields.SEED);
    }

    public JsonRequestType(Fields fields) {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public byte[] encode(AuthRequest request) {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public AuthResponse decode(byte[] answer, String backend, long elapsedMillis) throws AuthorizationException {
        throw new UnsupportedOperationException("pending");
    }
}
