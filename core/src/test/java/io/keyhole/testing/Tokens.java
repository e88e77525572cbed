package io.keyhole.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * Mints JWTs for tests: HMAC-signed with the shared test key unless told otherwise, the auth value
 * in the claim {@code uid}. For tests in every module (core's test-jar).
 */
public final class Tokens {

    /** The HMAC key test servers verify with: 256 bits, the least HS256 takes. */
    public static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    /** A key of the same size that no test server trusts: tokens signed with it are forged. */
    public static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);

    private Tokens() {
    }

    /** A token for {@code uid} signed with {@link #KEY}, valid for an hour. */
    public static String valid(String uid) {
        return hs256(KEY, uid, Instant.now().plusSeconds(3600));
    }

    /** An HS256 token for {@code uid} signed with {@code key}, expiring at {@code exp}. */
    public static String hs256(byte[] key, String uid, Instant exp) {
        return sign(new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder().claim("uid", uid).expirationTime(Date.from(exp)).build(), key);
    }

    /** {@code claims} under {@code header}, signed with the HMAC {@code key} by the header's algorithm. */
    public static String sign(JWSHeader header, JWTClaimsSet claims, byte[] key) {
        try {
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot mint a " + header.getAlgorithm() + " test token", e);
        }
    }

    /** An unsecured JWT ({@code alg: none}) carrying a claim that would otherwise grant. */
    public static String none(String uid) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"uid\":\"" + uid + "\",\"exp\":"
                + Instant.now().plusSeconds(3600).getEpochSecond() + "}").getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }
}
