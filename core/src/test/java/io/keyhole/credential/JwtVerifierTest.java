package io.keyhole.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.keyhole.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** JWT checks per RFC 7519 §4.1.4 (exp), §4.1.5 (nbf) and RFC 7515 §4.1.11 (crit); tokens minted with nimbus. */
class JwtVerifierTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final Duration LEEWAY = Duration.ofSeconds(30);
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LONG_KEY = "0123456789abcdef".repeat(4).getBytes(StandardCharsets.US_ASCII);

    private final JwtVerifier verifier = new JwtVerifier(KEY, "HS256", "uid", LEEWAY, CLOCK);

    static Stream<Arguments> tokens() {
        return Stream.of(
                // name, token, expected credential
                Arguments.of("valid, string claim", hs256(c -> c), valid("alice")),
                Arguments.of("valid, numeric claim", hs256(c -> c.claim("uid", 12345L)), valid("12345")),
                Arguments.of("integral number written as 42.0", hs256(c -> c.claim("uid", 42.0)), valid("42")),
                Arguments.of("fractional claim", hs256(c -> c.claim("uid", 4.5)), invalid("claim 'uid' must be a string or an integer")),
                Arguments.of("boolean claim", hs256(c -> c.claim("uid", true)), invalid("claim 'uid' must be a string or an integer")),
                Arguments.of("claim missing", hs256(c -> c.claim("uid", null)), invalid("claim 'uid' missing")),
                Arguments.of("other claims do not stand in", hs256(c -> c.claim("uid", null).subject("alice")), invalid("claim 'uid' missing")),

                // exp: valid while now < exp + leeway
                Arguments.of("expired long ago", hs256(c -> c.expirationTime(at(-3600))), invalid("token expired")),
                Arguments.of("expired beyond the leeway", hs256(c -> c.expirationTime(at(-31))), invalid("token expired")),
                Arguments.of("exactly at exp + leeway", hs256(c -> c.expirationTime(at(-30))), invalid("token expired")),
                Arguments.of("a second inside the leeway", hs256(c -> c.expirationTime(at(-29))), valid("alice")),
                Arguments.of("exp missing", hs256(c -> c.expirationTime(null)), invalid("exp missing")),
                Arguments.of("exp not a number", hs256(c -> c.expirationTime(null).claim("exp", "tomorrow")), invalid("exp is not a valid NumericDate")),
                Arguments.of("exp absurdly far", hs256(c -> c.expirationTime(null).claim("exp", Long.MAX_VALUE)), invalid("exp is not a valid NumericDate")),

                // nbf: valid when now >= nbf - leeway
                Arguments.of("nbf in the future", hs256(c -> c.notBeforeTime(at(31))), invalid("token not yet valid")),
                Arguments.of("nbf exactly at now + leeway", hs256(c -> c.notBeforeTime(at(30))), valid("alice")),
                Arguments.of("nbf in the past", hs256(c -> c.notBeforeTime(at(-10))), valid("alice")),
                Arguments.of("nbf not a number", hs256(c -> c.claim("nbf", "now")), invalid("nbf is not a valid NumericDate")),

                // signature and algorithm (RFC 8725 §3.1: never trust the token's own alg)
                Arguments.of("wrong key", mint(OTHER_KEY, new JWSHeader(JWSAlgorithm.HS256), claims(c -> c)), invalid("bad signature")),
                Arguments.of("HS512 token against an HS256 pin", mint(LONG_KEY, new JWSHeader(JWSAlgorithm.HS512), claims(c -> c)), invalid("token not signed with HS256")),
                Arguments.of("alg none", new PlainJWT(claims(c -> c)).serialize(), invalid("unsigned token (alg none)")),
                Arguments.of("alg none with a signature", forged("{\"alg\":\"none\"}"), invalid("malformed token")),
                Arguments.of("RS256 header", forged("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"), invalid("token not signed with HS256")),
                Arguments.of("lower-case hs256", forged("{\"alg\":\"hs256\"}"), invalid("token not signed with HS256")),
                Arguments.of("critical header", mint(KEY, new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .customParam("urn:x:policy", "strict").criticalParams(Set.of("urn:x:policy")).build(), claims(c -> c)),
                        invalid("token has critical header parameters, which are not supported")),
                Arguments.of("tampered payload", tampered(), invalid("bad signature")),
                Arguments.of("payload not an object", signedPayload("[1,2,3]"), invalid("claims are not a JSON object")),

                // shape
                Arguments.of("empty", "", invalid("malformed token")),
                Arguments.of("garbage", "not-a-token", invalid("malformed token")),
                Arguments.of("two parts", "eyJhbGciOiJIUzI1NiJ9.eyJ1aWQiOiJhbGljZSJ9", invalid("malformed token")),
                Arguments.of("header not JSON", "bm90IGpzb24.eyJ1aWQiOiJhbGljZSJ9.c2ln", invalid("malformed token")),
                Arguments.of("encrypted (five parts)", encrypted(), invalid("not a signed token")),
                Arguments.of("too long", "a".repeat(JwtVerifier.MAX_TOKEN_LENGTH + 1), invalid("token longer than 8192 characters")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tokens")
    void verify(String name, String token, Credential expected) {
        Credential got = verifier.verify(token);
        assertEquals(expected, got);
        if (got instanceof Credential.Invalid invalid) {
            assertFalse(token.length() > 0 && invalid.reason().contains(token), "reason quotes the token");
            for (String part : token.split("\\.")) {
                assertFalse(part.length() > 3 && invalid.reason().contains(part), "reason quotes a part of the token");
            }
            assertFalse(invalid.reason().contains("alice"), "reason quotes a claim");
        }
    }

    @Test
    void tokenOfExactlyTheLimitIsParsed() {
        String token = "a".repeat(JwtVerifier.MAX_TOKEN_LENGTH);
        assertEquals(invalid("malformed token"), verifier.verify(token));
    }

    @Test
    void leewayZeroMeansExpAndNbfExactly() {
        JwtVerifier strict = new JwtVerifier(KEY, "HS256", "uid", Duration.ZERO, CLOCK);
        assertEquals(invalid("token expired"), strict.verify(hs256(c -> c.expirationTime(at(0)))));
        assertEquals(valid("alice"), strict.verify(hs256(c -> c.expirationTime(at(1)))));
        assertEquals(valid("alice"), strict.verify(hs256(c -> c.notBeforeTime(at(0)))));
        assertEquals(invalid("token not yet valid"), strict.verify(hs256(c -> c.notBeforeTime(at(1)))));
    }

    @Test
    void fractionalNumericDatesCount() {
        JwtVerifier strict = new JwtVerifier(KEY, "HS256", "uid", Duration.ZERO, CLOCK);
        double exp = NOW.getEpochSecond() + 0.5;
        assertEquals(valid("alice"), strict.verify(hs256(c -> c.expirationTime(null).claim("exp", exp))));
        double past = NOW.getEpochSecond() - 0.5;
        assertEquals(invalid("token expired"), strict.verify(hs256(c -> c.expirationTime(null).claim("exp", past))));
    }

    @Test
    void clockIsConsultedOnEveryCall() {
        String token = hs256(c -> c.expirationTime(at(60)));
        assertEquals(valid("alice"), verifier.verify(token));
        JwtVerifier later = new JwtVerifier(KEY, "HS256", "uid", LEEWAY, Clock.fixed(NOW.plusSeconds(90), ZoneOffset.UTC));
        assertEquals(invalid("token expired"), later.verify(token));
    }

    @Test
    void pinnedHs512AcceptsHs512AndRefusesHs256() {
        JwtVerifier hs512 = new JwtVerifier(LONG_KEY, "HS512", "uid", LEEWAY, CLOCK);
        assertEquals(valid("alice"), hs512.verify(mint(LONG_KEY, new JWSHeader(JWSAlgorithm.HS512), claims(c -> c))));
        assertEquals(invalid("token not signed with HS512"),
                hs512.verify(mint(LONG_KEY, new JWSHeader(JWSAlgorithm.HS256), claims(c -> c))));
    }

    @Test
    void hs384Works() {
        byte[] key = "0123456789abcdef".repeat(3).getBytes(StandardCharsets.US_ASCII);
        JwtVerifier hs384 = new JwtVerifier(key, "HS384", "uid", LEEWAY, CLOCK);
        assertEquals(valid("alice"), hs384.verify(mint(key, new JWSHeader(JWSAlgorithm.HS384), claims(c -> c))));
    }

    @Test
    void withoutAClaimAValidTokenCarriesNoValue() {
        JwtVerifier checkOnly = new JwtVerifier(KEY, "HS256", null, LEEWAY, CLOCK);
        Credential got = checkOnly.verify(hs256(c -> c.claim("uid", null)));
        assertEquals(new Credential.Valid(null), got);
        assertEquals("Valid[no value]", got.toString());
        assertEquals(invalid("token expired"), checkOnly.verify(hs256(c -> c.expirationTime(at(-60)))));
    }

    @Test
    void nullTokenIsAbsent() {
        assertInstanceOf(Credential.Absent.class, verifier.verify(null));
    }

    @Test
    void validHidesItsValueWhenPrinted() {
        Credential got = verifier.verify(hs256(c -> c));
        assertFalse(got.toString().contains("alice"), got.toString());
        assertEquals("Valid[value=<5 chars>]", got.toString());
    }

    @Test
    void keyMustBeLongEnoughForTheAlgorithm() {
        // RFC 7518 §3.2: a key of the same size as the hash output or larger.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new JwtVerifier(new byte[31], "HS256", "uid", LEEWAY, CLOCK));
        assertTrue(e.getMessage().contains("HS256 needs at least 32 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("has 31 bytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new JwtVerifier(new byte[47], "HS384", "uid", LEEWAY, CLOCK));
        assertTrue(e.getMessage().contains("HS384 needs at least 48 bytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new JwtVerifier(KEY, "HS512", "uid", LEEWAY, CLOCK));
        assertTrue(e.getMessage().contains("HS512 needs at least 64 bytes"), e.getMessage());
        // The seed's example key, 0123456789ABCDEF, is too short to be safe.
        assertThrows(IllegalArgumentException.class, () -> new JwtVerifier(
                "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII), "HS256", "uid", LEEWAY, CLOCK));
    }

    @Test
    void onlyHmacAlgorithmsCanBePinned() {
        for (String alg : new String[] {"RS256", "ES256", "none", "hs256", "", "HS1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new JwtVerifier(LONG_KEY, alg, "uid", LEEWAY, CLOCK), alg);
            assertTrue(e.getMessage().contains("HS256, HS384 or HS512"), e.getMessage());
        }
    }

    @Test
    void otherSettingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new JwtVerifier(KEY, "HS256", "uid", Duration.ofSeconds(-1), CLOCK));
        assertThrows(IllegalArgumentException.class, () -> new JwtVerifier(KEY, "HS256", " ", LEEWAY, CLOCK));
        assertThrows(NullPointerException.class, () -> new JwtVerifier(null, "HS256", "uid", LEEWAY, CLOCK));
        assertThrows(NullPointerException.class, () -> new JwtVerifier(KEY, "HS256", "uid", LEEWAY, null));
    }

    @Test
    void keyIsCopied() {
        byte[] key = KEY.clone();
        JwtVerifier copy = new JwtVerifier(key, "HS256", "uid", LEEWAY, CLOCK);
        key[0] ^= 1;
        assertEquals(valid("alice"), copy.verify(hs256(c -> c)));
    }

    // ---- minting -------------------------------------------------------------------------

    private static Credential valid(String value) {
        return new Credential.Valid(value);
    }

    private static Credential invalid(String reason) {
        return new Credential.Invalid(reason);
    }

    private static Date at(long secondsFromNow) {
        return Date.from(NOW.plusSeconds(secondsFromNow));
    }

    /** uid=alice, exp in an hour, then whatever {@code change} does. */
    private static JWTClaimsSet claims(UnaryOperator<JWTClaimsSet.Builder> change) {
        return change.apply(new JWTClaimsSet.Builder().claim("uid", "alice").expirationTime(at(3600))).build();
    }

    private static String hs256(UnaryOperator<JWTClaimsSet.Builder> change) {
        return mint(KEY, new JWSHeader(JWSAlgorithm.HS256), claims(change));
    }

    private static String mint(byte[] key, JWSHeader header, JWTClaimsSet claims) {
        return Tokens.sign(header, claims, key);
    }

    /** A token with a hand-written header and a signature that is only random bytes. */
    private static String forged(String headerJson) {
        return Base64URL.encode(headerJson) + "." + Base64URL.encode(claims(c -> c).toString()) + "."
                + Base64URL.encode("not really a signature, just bytes");
    }

    /** A valid token whose payload was swapped for another after signing. */
    private static String tampered() {
        String[] parts = hs256(c -> c).split("\\.");
        String otherPayload = Base64URL.encode(claims(c -> c.claim("uid", "mallory")).toString()).toString();
        return parts[0] + "." + otherPayload + "." + parts[2];
    }

    private static String signedPayload(String json) {
        try {
            JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(json));
            jws.sign(new MACSigner(KEY));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Five parts with a JWE header: a token the verifier must refuse to treat as signed. */
    private static String encrypted() {
        return Base64URL.encode("{\"alg\":\"dir\",\"enc\":\"A128GCM\"}") + "." + "." + Base64URL.encode("iv-bytes-here")
                + "." + Base64URL.encode("ciphertext") + "." + Base64URL.encode("tag-bytes-here-16");
    }
}
