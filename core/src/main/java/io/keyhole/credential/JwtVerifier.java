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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Verifies signed JWTs (nimbus-jose-jwt) and extracts one claim. Tokens are signed with a shared
 * secret (HS256/384/512) or checked with public keys (RS256/384/512, PS256/384/512, ES256/384,
 * EdDSA with Ed25519) from a key file or a key server ({@link JwtTrust}). The algorithm is pinned,
 * per key: a token whose header names another algorithm ({@code none} included) is invalid, and an
 * HMAC token is never checked with a public key. Only the canonical base64url spelling of a token
 * is accepted; the audience, issuer and longest lifetime are checked when configured. {@code exp}
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
    /** Most keys a token without {@code kid} is tried against. */
    private static final int MAX_CANDIDATES = 8;
    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /** The shared secret's one key, or {@code null} with public keys. */
    private final VerificationKey secret;
    /** Keys read from {@code jwt-key-file}, or {@code null}. */
    private final List<VerificationKey> fileKeys;
    /** Keys from {@code jwt-jwks-url}, or {@code null}. */
    private final JwksKeys remoteKeys;
    private final String claim;
    private final Duration leeway;
    private final JwtTrust trust;
    private final Clock clock;

    /**
     * A verifier of shared-secret tokens without claim checks beyond {@code exp} and {@code nbf}.
     *
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
        this(new JwtSettings(key, algorithm, claim, leeway), clock);
    }

    /**
     * A verifier for {@code settings}: a shared secret, or public keys from a file or a key server
     * (fetched once now; a failure is logged and retried on later tokens).
     *
     * @throws IllegalArgumentException for an unknown algorithm, a key too short for it, or a key
     *                                  file that cannot be used
     */
    JwtVerifier(JwtSettings settings, Clock clock) {
        this.leeway = Objects.requireNonNull(settings.leeway(), "leeway");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.trust = settings.trust();
        this.claim = settings.field();
        if (leeway.isNegative()) {
            throw new IllegalArgumentException("the JWT leeway (jwt-leeway) must not be negative, was " + leeway);
        }
        if (claim != null && claim.isBlank()) {
            throw new IllegalArgumentException("the JWT claim (jwt-field) must not be blank");
        }
        String algorithm = settings.algorithm();
        if (trust.publicKeys()) {
            if (algorithm != null && !JwtTrust.PUBLIC_KEY_ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException("with public keys the JWT algorithm (jwt-algorithm) must be one of "
                        + new TreeSet<>(JwtTrust.PUBLIC_KEY_ALGORITHMS) + ", was '" + algorithm + "'");
            }
            this.secret = null;
            this.fileKeys = trust.keyFile() != null ? List.copyOf(PublicKeys.fromFile(trust.keyFile(), algorithm)) : null;
            this.remoteKeys = trust.jwksUrl() != null ? new JwksKeys(trust.jwksUrl(), algorithm, clock) : null;
            return;
        }
        byte[] key = settings.key();
        int minBytes = switch (Objects.requireNonNull(algorithm, "algorithm")) {
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
        try {
            this.secret = new VerificationKey(null, JWSAlgorithm.parse(algorithm), new MACVerifier(key, Set.of()));
        } catch (JOSEException e) {
            // The length was checked above; nimbus refusing the key anyway is a setup error.
            throw new IllegalArgumentException("the JWT key cannot be used for " + algorithm, e);
        }
        this.fileKeys = null;
        this.remoteKeys = null;
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
        if (!canonical(token)) {
            // Other spellings of the same bytes would be other tokens to caches, logs and deny lists.
            return invalid("token is not in canonical base64url");
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
        Set<String> critical = header.getCriticalParams();
        if (critical != null && !critical.isEmpty()) {
            return invalid("token has critical header parameters, which are not supported");
        }
        List<VerificationKey> candidates = new ArrayList<>();
        String refusal = candidates(header, candidates);
        if (refusal != null) {
            return invalid(refusal);
        }
        try {
            boolean verified = false;
            for (VerificationKey key : candidates) {
                if (signed.verify(key.verifier())) {
                    verified = true;
                    break;
                }
            }
            if (!verified) {
                return invalid("bad signature");
            }
        } catch (JOSEException | RuntimeException e) {
            return invalid("signature cannot be checked");
        }
        Map<String, Object> claims = signed.getPayload().toJSONObject();
        if (claims == null) {
            return invalid("claims are not a JSON object");
        }
        String problem = timeProblem(claims);
        if (problem == null) {
            problem = trustProblem(claims);
        }
        if (problem != null) {
            return invalid(problem);
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

    /**
     * The keys that may check a token with this header: those with its {@code kid} (all, when it
     * names none) and pinned to its algorithm. Keys the token carries or points to ({@code jwk},
     * {@code jku}, {@code x5u}, {@code x5c}) are never used.
     *
     * @return why the token cannot be checked, or {@code null} with {@code out} filled
     */
    private String candidates(JWSHeader header, List<VerificationKey> out) {
        JWSAlgorithm alg = header.getAlgorithm();
        if (secret != null) {
            if (!secret.algorithm().equals(alg)) {
                return "token not signed with " + secret.algorithm().getName();
            }
            out.add(secret);
            return null;
        }
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            // A public key used as an HMAC secret would let anybody sign (algorithm confusion).
            return "token signed with " + alg.getName() + "; only public-key algorithms are accepted";
        }
        String kid = header.getKeyID();
        List<VerificationKey> keys = fileKeys != null ? fileKeys : remoteKeys.keys();
        List<VerificationKey> withKid = withKid(keys, kid);
        if (withKid.isEmpty() && kid != null && remoteKeys != null) {
            withKid = withKid(remoteKeys.afterUnknownKid(), kid);
        }
        if (withKid.isEmpty()) {
            return keys.isEmpty() && fileKeys == null ? "no public keys at hand (the key server has not answered yet)"
                    : kid == null ? "no key to check it with" : "unknown key id";
        }
        for (VerificationKey key : withKid) {
            if (key.algorithm().equals(alg) && out.size() < MAX_CANDIDATES) {
                out.add(key);
            }
        }
        if (out.isEmpty()) {
            return "token not signed with the algorithm of its key (" + withKid.get(0).algorithm().getName() + ")";
        }
        return null;
    }

    private static List<VerificationKey> withKid(List<VerificationKey> keys, String kid) {
        if (kid == null) {
            return keys;
        }
        List<VerificationKey> found = new ArrayList<>(1);
        for (VerificationKey key : keys) {
            if (kid.equals(key.kid())) {
                found.add(key);
            }
        }
        return found;
    }

    /**
     * Whether {@code token}, when it has the three dot-separated parts of a JWS, spells each in the
     * one way a base64url encoder without padding does: no stray characters, no impossible length,
     * and zero bits after the last whole byte (RFC 7515 §2, RFC 4648 §3.5). The signature may be
     * empty (an unsigned token, refused later for what it is). Other shapes are left to the parser.
     */
    static boolean canonical(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (second < 0 || token.indexOf('.', second + 1) >= 0) {
            return true;
        }
        return canonicalPart(token, 0, first) && canonicalPart(token, first + 1, second)
                && (second + 1 == token.length() || canonicalPart(token, second + 1, token.length()));
    }

    private static boolean canonicalPart(String token, int start, int end) {
        int length = end - start;
        if (length == 0) {
            return false;
        }
        for (int i = start; i < end; i++) {
            if (BASE64URL.indexOf(token.charAt(i)) < 0) {
                return false;
            }
        }
        int last = BASE64URL.indexOf(token.charAt(end - 1));
        return switch (length % 4) {
            case 1 -> false;
            case 2 -> (last & 0x0f) == 0;
            case 3 -> (last & 0x03) == 0;
            default -> true;
        };
    }

    /** {@code exp} (required), {@code nbf}, {@code iat} and the longest lifetime, with the leeway. */
    private String timeProblem(Map<String, Object> claims) {
        Instant now = clock.instant();
        Object exp = claims.get("exp");
        if (exp == null) {
            return "exp missing";
        }
        Instant expires = instant(exp);
        if (expires == null) {
            return "exp is not a valid NumericDate";
        }
        if (!now.isBefore(expires.plus(leeway))) {
            return "token expired";
        }
        Object nbf = claims.get("nbf");
        if (nbf != null) {
            Instant notBefore = instant(nbf);
            if (notBefore == null) {
                return "nbf is not a valid NumericDate";
            }
            if (now.isBefore(notBefore.minus(leeway))) {
                return "token not yet valid";
            }
        }
        Duration max = trust.maxLifetime();
        if (max == null) {
            return null;
        }
        if (expires.isAfter(now.plus(max).plus(leeway))) {
            return "token valid for longer than jwt-max-lifetime (" + max.toSeconds() + " s)";
        }
        Object iat = claims.get("iat");
        if (iat != null) {
            Instant issued = instant(iat);
            if (issued == null) {
                return "iat is not a valid NumericDate";
            }
            if (issued.isAfter(now.plus(leeway))) {
                return "token issued in the future";
            }
            if (Duration.between(issued, expires).compareTo(max) > 0) {
                return "token issued for longer than jwt-max-lifetime (" + max.toSeconds() + " s)";
            }
        }
        return null;
    }

    /** {@code iss} and {@code aud}, when configured. */
    private String trustProblem(Map<String, Object> claims) {
        if (trust.issuer() != null && !trust.issuer().equals(claims.get("iss"))) {
            return claims.get("iss") == null ? "iss missing" : "token from another issuer";
        }
        if (!trust.audiences().isEmpty()) {
            Object aud = claims.get("aud");
            if (aud == null) {
                return "aud missing";
            }
            List<?> named = aud instanceof List<?> list ? list : List.of(aud);
            for (Object a : named) {
                if (a instanceof String s && trust.audiences().contains(s)) {
                    return null;
                }
            }
            return "token meant for another audience";
        }
        return null;
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
        String keys = secret != null ? secret.algorithm().getName()
                : fileKeys != null ? fileKeys.size() + " public keys from " + trust.keyFile() : remoteKeys.toString();
        return "JwtVerifier[" + keys + ", claim=" + claim + ", leeway=" + leeway + "]";
    }
}
