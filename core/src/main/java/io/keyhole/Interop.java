package io.keyhole;

import io.keyhole.credential.AuthFilter;
import java.util.Objects;

/**
 * Settings for clients, backends and browsers of the nginx module's newer versions, and for
 * browser scripts on other origins. A value; the defaults change nothing.
 *
 * @param sessionCredential  {@code credential=session}: the raw cookie or header value is the auth
 *                           value, unverified, for backends that check session ids themselves
 * @param authFilter         {@code auth-filter}: which part of the credential value is the auth
 *                           value, or {@code null} for all of it
 * @param cors               {@code cors-origins}, {@code cors-credentials}
 * @param moduleUploadAnswer {@code upload-answer=module}: an upload is answered 200 {@code text/plain}
 *                           with the new id, as the module does, instead of 201 with JSON and {@code Location}
 */
public record Interop(boolean sessionCredential, AuthFilter authFilter, Cors cors, boolean moduleUploadAnswer) {

    /** Every default: JWT credentials as configured, no filter, no CORS, 201 JSON upload answers. */
    public static final Interop DEFAULT = new Interop(false, null, Cors.NONE, false);

    public Interop {
        Objects.requireNonNull(cors, "cors");
    }
}
