package io.keyhole.credential;

import io.keyhole.RequestView;

/**
 * The caller as the application has already signed it in (its session, Spring Security's current
 * authentication) instead of a JWT that the request carries. Set in code with
 * {@link io.keyhole.KeyholeConfig.Builder#signedInCaller}; it replaces {@code jwt-key}.
 *
 * <p>Called on the request's thread for every request inside the mount, before the backend is
 * asked, possibly from many threads at once: implementations must be thread-safe and quick, and
 * must not block. An exception thrown here answers the request with 500.
 */
@FunctionalInterface
public interface SignedInCaller {

    /**
     * Who is asking.
     *
     * @return {@link Credential.Valid} with the auth value for a signed-in caller;
     *         {@link Credential.Absent} for an anonymous one, who is asked about as anonymous (the
     *         backend and {@code matrix-download} decide: 403 by default); {@link Credential.Invalid}
     *         for a caller who is signed in but lacks what the auth value is made of, refused with
     *         403. Never {@code null}.
     */
    Credential find(RequestView request);
}
