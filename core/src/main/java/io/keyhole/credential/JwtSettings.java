package io.keyhole.credential;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * How JWTs are checked, as configured ({@code jwt-key}, {@code jwt-algorithm}, {@code jwt-field},
 * {@code jwt-leeway}, and the public keys and claim checks of {@link JwtTrust}): a value.
 * {@link #verifier(Clock)} builds the verifier. The key is never shown by {@link #toString()}.
 *
 * @param key       the HMAC secret; empty when tokens are checked with public keys
 * @param algorithm the one algorithm tokens must use; with public keys, the algorithm of keys
 *                  that name none, or {@code null} to take each key's own (RSA keys: RS256)
 * @param field     the claim whose value becomes the auth value, or {@code null} for none
 * @param leeway    clock skew tolerated on {@code exp} and {@code nbf}
 * @param trust     public keys and claim checks
 */
public record JwtSettings(byte[] key, String algorithm, String field, Duration leeway, JwtTrust trust) {

    public JwtSettings {
        key = Objects.requireNonNull(key, "key").clone();
        Objects.requireNonNull(leeway, "leeway");
        Objects.requireNonNull(trust, "trust");
        if (!trust.publicKeys()) {
            Objects.requireNonNull(algorithm, "algorithm");
        }
    }

    /** Shared-secret settings without claim checks beyond {@code exp} and {@code nbf}. */
    public JwtSettings(byte[] key, String algorithm, String field, Duration leeway) {
        this(key, algorithm, field, leeway, JwtTrust.NONE);
    }

    /** A copy of the key. */
    @Override
    public byte[] key() {
        return key.clone();
    }

    /**
     * The verifier for these settings, reading the time from {@code clock}. With a key server it
     * fetches the keys once now; a failure is logged and retried on later tokens.
     */
    public JwtVerifier verifier(Clock clock) {
        return new JwtVerifier(this, clock);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JwtSettings other && Arrays.equals(key, other.key)
                && Objects.equals(algorithm, other.algorithm) && Objects.equals(field, other.field)
                && leeway.equals(other.leeway) && trust.equals(other.trust);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), algorithm, field, leeway, trust);
    }

    @Override
    public String toString() {
        String keys = trust.keyFile() != null ? "public keys from " + trust.keyFile()
                : trust.jwksUrl() != null ? "public keys from " + trust.jwksUrl() : algorithm;
        return "JWT " + keys + (field != null ? " (auth value from claim " + field + ")" : "");
    }
}
