package io.keyhole.credential;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies HMAC-signed JWTs (nimbus-jose-jwt) and extracts one claim. The algorithm is pinned:
 * a token whose header names another algorithm ({@code none} included) is invalid. {@code exp}
 * is required; {@code nbf} is honoured when present; both with {@code leeway}: a token is valid
 * while {@code nbf - leeway <= now < exp + leeway}. Tokens with critical header parameters
 * ({@code crit}) are refused, since none is understood. Thread-safe.
 *
 * <p>{@link Credential.Invalid} reasons say what was wrong and never contain the token or any
 * part of it, so they may be logged.
 *
 * <pre>{@code
 * JwtVerifier jwt = new JwtVerifier(secret, "HS256", "uid", Duration.ofSeconds(30), Clock.systemUTC());
 * if (jwt.verify(token) instanceof Credential.Valid valid) {
 *     String uid = valid.value();
 * }
 * }</pre>
 */
public final class JwtVerifier {

    /** Longest token looked at; anything longer is refused before parsing. */
    public static final int MAX_TOKEN_LENGTH = 8192;

    /** Latest NumericDate accepted: 9999-12-31T23:59:59Z. Later values are nonsense, not far futures. */
    private static final long MAX_SECONDS = 253_402_300_799L;
    /** Largest magnitude a JSON number can have and still be an exact integer in a double. */
    private static final double MAX_EXACT_DOUBLE = 9_007_199_254_740_992d;

    private final JWSAlgorithm algorithm;
    private final MACVerifier verifier;
    private final String claim;
    private final Duration leeway;
    private final Clock clock;

    /**
     * @param key       the HMAC secret (at least 256 bits for HS256, 384 for HS384, 512 for HS512,
     *                  as RFC 7518 §3.2 requires)
     * @param algorithm {@code HS256}, {@code HS384} or {@code HS512}
     * @param claim     the claim whose value becomes the auth value (e.g. {@code uid}); numbers
     *                  and strings are accepted and rendered as text; {@code null} when tokens are
     *                  only checked and no value is taken from them
     * @param leeway    clock skew tolerated on {@code exp} and {@code nbf}, not negative
     * @param clock     time source
     * @throws IllegalArgumentException for an unknown algorithm or a key too short for it
     */
    public JwtVerifier(byte[] key, String algorithm, String claim, Duration leeway, Clock clock) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(algorithm, "algorithm");
        this.leeway = Objects.requireNonNull(leeway, "leeway");
        this.clock = Objects.requireNonNull(clock, "clock");
        int minBytes = switch (algorithm) {
            case "HS256" -> 32;
            case "HS384" -> 48;
            case "HS512" -> 64;
            default -> throw new IllegalArgumentException(
                    "the JWT algorithm (jwt-algorithm) must be HS256, HS384 or HS512, was '" + algorithm + "'");
        };
        if (key.length < minBytes) {
            throw new IllegalArgumentException("the JWT key (jwt-key) has " + key.length + " bytes; " + algorithm
                    + " needs at least " + minBytes + " bytes (" + minBytes * 8 + " bits, RFC 7518 §3.2)");
        }
        if (leeway.isNegative()) {
            throw new IllegalArgumentException("the JWT leeway (jwt-leeway) must not be negative, was " + leeway);
        }
        if (claim != null && claim.isBlank()) {
            throw new IllegalArgumentException("the JWT claim (jwt-field) must not be blank");
        }
        this.algorithm = JWSAlgorithm.parse(algorithm);
        this.claim = claim;
        try {
            this.verifier = new MACVerifier(key.clone(), Set.of());
        } catch (JOSEException e) {
            // The length was checked above; nimbus refusing the key anyway is a setup error.
            throw new IllegalArgumentException("the JWT key cannot be used for " + algorithm, e);
        }
    }

    /**
     * Checks {@code token} (compact serialisation) and returns the claim's value. Never throws.
     *
     * @return {@link Credential.Valid} with the claim's value ({@code null} when no claim is
     *         configured), {@link Credential.Invalid} with a reason, or {@link Credential.Absent}
     *         for a {@code null} token
     */
    public Credential verify(String token) {
        if (token == null) {
            return new Credential.Absent();
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            return invalid("token longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            // The parser's message may quote the token; it is not passed on.
            return invalid("malformed token");
        }
        if (jwt instanceof PlainJWT) {
            return invalid("unsigned token (alg none)");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return invalid("not a signed token");
        }
        JWSHeader header = signed.getHeader();
        if (!algorithm.equals(header.getAlgorithm())) {
            return invalid("token not signed with " + algorithm.getName());
        }
        Set<String> critical = header.getCriticalParams();
        if (critical != null && !critical.isEmpty()) {
            return invalid("token has critical header parameters, which are not supported");
        }
        try {
            if (!signed.verify(verifier)) {
                return invalid("bad signature");
            }
        } catch (JOSEException | RuntimeException e) {
            return invalid("signature cannot be checked");
        }
        Map<String, Object> claims = signed.getPayload().toJSONObject();
        if (claims == null) {
            return invalid("claims are not a JSON object");
        }
        Instant now = clock.instant();
        Object exp = claims.get("exp");
        if (exp == null) {
            return invalid("exp missing");
        }
        Instant expires = instant(exp);
        if (expires == null) {
            return invalid("exp is not a valid NumericDate");
        }
        if (!now.isBefore(expires.plus(leeway))) {
            return invalid("token expired");
        }
        Object nbf = claims.get("nbf");
        if (nbf != null) {
            Instant notBefore = instant(nbf);
            if (notBefore == null) {
                return invalid("nbf is not a valid NumericDate");
            }
            if (now.isBefore(notBefore.minus(leeway))) {
                return invalid("token not yet valid");
            }
        }
        if (claim == null) {
            return new Credential.Valid(null);
        }
        Object value = claims.get(claim);
        if (value == null) {
            return invalid("claim '" + claim + "' missing");
        }
        String text = text(value);
        if (text == null) {
            return invalid("claim '" + claim + "' must be a string or an integer");
        }
        return new Credential.Valid(text);
    }

    /** A NumericDate (RFC 7519 §2): seconds, possibly fractional; {@code null} when not a sane one. */
    private static Instant instant(Object value) {
        if (value instanceof Long || value instanceof Integer) {
            long seconds = ((Number) value).longValue();
            return Math.abs(seconds) <= MAX_SECONDS ? Instant.ofEpochSecond(seconds) : null;
        }
        if (value instanceof Double seconds) {
            if (!Double.isFinite(seconds) || Math.abs(seconds) > MAX_SECONDS) {
                return null;
            }
            long whole = (long) Math.floor(seconds);
            return Instant.ofEpochSecond(whole, (long) ((seconds - whole) * 1_000_000_000L));
        }
        return null;
    }

    /** A claim's value as text: strings as they are, integers without a fraction; {@code null} otherwise. */
    private static String text(Object value) {
        if (value instanceof String string) {
            return string;
        }
        if (value instanceof Long || value instanceof Integer) {
            return value.toString();
        }
        if (value instanceof Double d) {
            // 1.0 and 1e3 are integers written another way; beyond 2^53 the digits are no longer exact.
            if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) <= MAX_EXACT_DOUBLE) {
                return Long.toString(d.longValue());
            }
        }
        return null;
    }

    private static Credential invalid(String reason) {
        return new Credential.Invalid(reason);
    }

    @Override
    public String toString() {
        return "JwtVerifier[" + algorithm.getName() + ", claim=" + claim + ", leeway=" + leeway + "]";
    }
}
