package io.keyhole.auth;

import java.time.Clock;
import java.time.Duration;

/**
 * Verifies HMAC-signed JWTs (nimbus-jose-jwt) and extracts one claim. The algorithm is pinned:
 * a token whose header names another algorithm ({@code none} included) is invalid. {@code exp}
 * is required; {@code nbf} is honoured when present; both with {@code leeway}. Thread-safe.
 */
public final class JwtVerifier {

    /**
     * @param key       the HMAC secret (at least 256 bits for HS256, as RFC 7518 §3.2 requires)
     * @param algorithm {@code HS256}, {@code HS384} or {@code HS512}
     * @param claim     the claim whose value becomes the auth value (e.g. {@code uid}); numbers
     *                  and strings are accepted and rendered as text
     * @param leeway    clock skew tolerated on {@code exp} and {@code nbf}
     * @param clock     time source
     * @throws IllegalArgumentException for an unknown algorithm or a key too short for it
     */
    public JwtVerifier(byte[] key, String algorithm, String claim, Duration leeway, Clock clock) {
        throw new UnsupportedOperationException("pending");
    }

    /** Checks {@code token} (compact serialisation) and returns the claim's value. Never throws. */
    public Credential verify(String token) {
        throw new UnsupportedOperationException("pending");
    }
}
