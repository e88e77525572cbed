package io.keyhole.credential;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * How JWTs are checked, as configured ({@code jwt-key}, {@code jwt-algorithm}, {@code jwt-field},
 * {@code jwt-leeway}): a value. {@link #verifier(Clock)} builds the verifier. The key is never
 * shown by {@link #toString()}.
 *
 * @param key       the HMAC secret
 * @param algorithm the one algorithm tokens must use
 * @param field     the claim whose value becomes the auth value, or {@code null} for none
 * @param leeway    clock skew tolerated on {@code exp} and {@code nbf}
 */
public record JwtSettings(byte[] key, String algorithm, String field, Duration leeway) {

    public JwtSettings {
        key = Objects.requireNonNull(key, "key").clone();
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(leeway, "leeway");
    }

    /** A copy of the key. */
    @Override
    public byte[] key() {
        return key.clone();
    }

    /** The verifier for these settings, reading the time from {@code clock}. */
    public JwtVerifier verifier(Clock clock) {
        return new JwtVerifier(key, algorithm, field, leeway, clock);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JwtSettings other && Arrays.equals(key, other.key)
                && algorithm.equals(other.algorithm) && Objects.equals(field, other.field) && leeway.equals(other.leeway);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), algorithm, field, leeway);
    }

    @Override
    public String toString() {
        return "JWT " + algorithm + (field != null ? " (auth value from claim " + field + ")" : "");
    }
}
