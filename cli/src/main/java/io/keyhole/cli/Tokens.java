package io.keyhole.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Set;

/** Mints HMAC-signed JWTs of the kind Keyhole verifies. */
final class Tokens {

    /** Claims {@link #mint} sets itself. */
    static final Set<String> TIME_CLAIMS = Set.of("exp", "iat", "nbf");

    private Tokens() {
    }

    /**
     * @param algorithm {@code HS256}, {@code HS384} or {@code HS512}
     * @param claims    further claims; none of {@link #TIME_CLAIMS}
     * @param now       issue time; the token expires at {@code now + ttl}
     * @throws IllegalArgumentException when the key is shorter than the algorithm's hash
     *                                  (RFC 7518 §3.2), naming both lengths
     */
    static String mint(byte[] key, String algorithm, Map<String, String> claims, Duration ttl, Instant now) {
        JWSAlgorithm alg = JWSAlgorithm.parse(algorithm);
        int minBytes = minKeyBytes(algorithm);
        if (key.length < minBytes) {
            throw new IllegalArgumentException("the key has " + key.length + " bytes; " + algorithm + " needs at least "
                    + minBytes);
        }
        JWTClaimsSet.Builder body = new JWTClaimsSet.Builder()
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        claims.forEach(body::claim);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).build(), body.build());
        try {
            jwt.sign(new MACSigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign with " + algorithm + ": " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /** The shortest key {@code algorithm} accepts, in bytes. */
    static int minKeyBytes(String algorithm) {
        return switch (algorithm) {
            case "HS256" -> 32;
            case "HS384" -> 48;
            case "HS512" -> 64;
            default -> throw new IllegalArgumentException("unknown algorithm " + algorithm);
        };
    }
}
