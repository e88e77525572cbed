package io.keyhole.credential;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Whose tokens are trusted beyond the shared secret, and which claims they must carry: public keys
 * from a file ({@code jwt-key-file}) or a key server ({@code jwt-jwks-url}), the accepted audiences
 * ({@code jwt-audience}), the issuer ({@code jwt-issuer}) and the longest lifetime
 * ({@code jwt-max-lifetime}). A value; {@link #NONE} checks no claim beyond {@code exp} and
 * {@code nbf}. The claim checks apply to HMAC and public-key tokens alike.
 *
 * @param keyFile     a PEM file (public keys or certificates) or a JWK set, or {@code null}
 * @param jwksUrl     where a JWK set is fetched, or {@code null}; {@code https}, or {@code http}
 *                    to a loopback address only
 * @param audiences   the {@code aud} values accepted: a token must name at least one; empty for no check
 * @param issuer      the {@code iss} a token must carry, exactly; {@code null} for no check
 * @param maxLifetime the longest a token may be valid ({@code exp - iat}, and {@code exp - now}), or
 *                    {@code null} for no limit
 */
public record JwtTrust(Path keyFile, URI jwksUrl, List<String> audiences, String issuer, Duration maxLifetime) {

    /** No public keys, no claim checks beyond {@code exp} and {@code nbf}. */
    public static final JwtTrust NONE = new JwtTrust(null, null, List.of(), null, null);

    /** Every algorithm a public key may be pinned to. */
    public static final Set<String> PUBLIC_KEY_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "EdDSA");

    /** @throws IllegalArgumentException when both key sources are given, or a value is out of range */
    public JwtTrust {
        audiences = List.copyOf(Objects.requireNonNull(audiences, "audiences"));
        if (keyFile != null && jwksUrl != null) {
            throw new IllegalArgumentException("set jwt-key-file or jwt-jwks-url, not both");
        }
        if (jwksUrl != null) {
            checkJwksUrl(jwksUrl);
        }
        for (String a : audiences) {
            if (a.isBlank()) {
                throw new IllegalArgumentException("jwt-audience must not contain a blank value");
            }
        }
        if (issuer != null && issuer.isBlank()) {
            throw new IllegalArgumentException("jwt-issuer must not be blank");
        }
        if (maxLifetime != null && (maxLifetime.isNegative() || maxLifetime.isZero())) {
            throw new IllegalArgumentException("jwt-max-lifetime must be positive, was " + maxLifetime);
        }
    }

    /** Whether tokens are checked with public keys rather than a shared secret. */
    public boolean publicKeys() {
        return keyFile != null || jwksUrl != null;
    }

    /** This value with {@code keyFile} instead. */
    public JwtTrust withKeyFile(Path file) {
        return new JwtTrust(Objects.requireNonNull(file, "jwt-key-file"), jwksUrl, audiences, issuer, maxLifetime);
    }

    /** This value with {@code jwksUrl} instead. */
    public JwtTrust withJwksUrl(URI url) {
        return new JwtTrust(keyFile, Objects.requireNonNull(url, "jwt-jwks-url"), audiences, issuer, maxLifetime);
    }

    /** This value with {@code audiences} instead. */
    public JwtTrust withAudiences(List<String> accepted) {
        return new JwtTrust(keyFile, jwksUrl, accepted, issuer, maxLifetime);
    }

    /** This value with {@code issuer} instead. */
    public JwtTrust withIssuer(String iss) {
        return new JwtTrust(keyFile, jwksUrl, audiences, Objects.requireNonNull(iss, "jwt-issuer"), maxLifetime);
    }

    /** This value with {@code maxLifetime} instead. */
    public JwtTrust withMaxLifetime(Duration max) {
        return new JwtTrust(keyFile, jwksUrl, audiences, issuer, Objects.requireNonNull(max, "jwt-max-lifetime"));
    }

    /**
     * A key server reached over plain HTTP could hand anybody's keys to a machine in the path: only
     * {@code https}, or {@code http} to the loopback interface (a local agent, a test).
     */
    private static void checkJwksUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost();
        if (host == null || url.getRawUserInfo() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("jwt-jwks-url must be an absolute https URL with a host and no user or"
                    + " fragment, e.g. https://login.example.com/.well-known/jwks.json; was '" + url + "'");
        }
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
        if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
            throw new IllegalArgumentException("jwt-jwks-url must use https (http only to localhost, 127.0.0.1 or"
                    + " [::1]): keys fetched in the clear can be replaced on the way; was '" + url + "'");
        }
    }
}
