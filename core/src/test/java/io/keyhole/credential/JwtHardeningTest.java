package io.keyhole.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attacks on token checking the review found, each first as the attack: other spellings of a
 * token's bytes (RFC 4648 §3.5, RFC 7515 §2), tokens for another audience or issuer (RFC 7519
 * §4.1.1, §4.1.3), tokens valid for years. Every check holds for shared-secret and public-key
 * tokens alike.
 */
class JwtHardeningTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final JwtTrust CHECKS = JwtTrust.NONE.withAudiences(List.of("files", "media"))
            .withIssuer("https://login.example.com").withMaxLifetime(Duration.ofHours(1));

    @TempDir
    static Path dir;
    static ECKey ecKey;

    /** The two kinds of verifier with the same claim checks: a shared secret, and an EC key from a file. */
    enum Kind {
        HMAC, PUBLIC_KEY
    }

    private static JwtVerifier verifier(Kind kind, JwtTrust checks) throws Exception {
        if (kind == Kind.HMAC) {
            return new JwtSettings(SECRET, "HS256", "uid", Duration.ofSeconds(30), checks).verifier(CLOCK);
        }
        if (ecKey == null) {
            ecKey = new ECKeyGenerator(Curve.P_256).keyID("ec1").generate();
        }
        Path file = dir.resolve("keys.json");
        Files.writeString(file, new JWKSet(ecKey.toPublicJWK()).toString());
        return new JwtSettings(new byte[0], null, "uid", Duration.ofSeconds(30), checks.withKeyFile(file)).verifier(CLOCK);
    }

    private static String token(Kind kind, UnaryOperator<JWTClaimsSet.Builder> claims) throws Exception {
        JWTClaimsSet.Builder c = new JWTClaimsSet.Builder().claim("uid", "alice").audience("files")
                .issuer("https://login.example.com").issueTime(Date.from(NOW.minusSeconds(60)))
                .expirationTime(Date.from(NOW.plusSeconds(600)));
        JWSHeader header = kind == Kind.HMAC ? new JWSHeader(JWSAlgorithm.HS256)
                : new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec1").build();
        JWSSigner signer = kind == Kind.HMAC ? new MACSigner(SECRET) : new ECDSASigner(ecKey);
        SignedJWT jwt = new SignedJWT(header, claims.apply(c).build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String reason(Credential c) {
        return c instanceof Credential.Invalid invalid ? invalid.reason() : c.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HMAC", "PUBLIC_KEY"})
    void aGoodTokenPassesEveryCheck(Kind kind) throws Exception {
        assertEquals(new Credential.Valid("alice"), verifier(kind, CHECKS).verify(token(kind, c -> c)));
    }

    /** RFC 4648 §3.5: the bits after the last whole byte must be zero; other spellings are other tokens. */
    @ParameterizedTest
    @ValueSource(strings = {"HMAC", "PUBLIC_KEY"})
    void theSameBytesSpeltAnotherWayAreRefused(Kind kind) throws Exception {
        JwtVerifier verifier = verifier(kind, JwtTrust.NONE);
        String good = token(kind, c -> c);
        assertEquals(new Credential.Valid("alice"), verifier.verify(good));
        String[] parts = good.split("\\.");
        for (int p = 0; p < 3; p++) {
            String part = parts[p];
            String variant = null;
            if (part.length() % 4 != 0) {
                // a set padding bit in the last character decodes to the same bytes in lenient decoders
                char last = part.charAt(part.length() - 1);
                int index = alphabet().indexOf(last);
                variant = part.substring(0, part.length() - 1) + alphabet().charAt(index | 1);
                if (variant.equals(part)) {
                    variant = part.substring(0, part.length() - 1) + alphabet().charAt(index ^ 1);
                }
            }
            for (String other : new String[] {variant, part + "=", part + "==", part.replace('-', '+').replace('_', '/'),
                    " " + part, part + "\n"}) {
                if (other == null || other.equals(part)) {
                    continue;
                }
                String[] copy = parts.clone();
                copy[p] = other;
                String tampered = String.join(".", copy);
                assertEquals("token is not in canonical base64url", reason(verifier.verify(tampered)),
                        "part " + p + " spelt '" + other + "'");
            }
        }
        assertEquals("malformed token", reason(verifier.verify(good + ".")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # kind       | audience               | why
            HMAC         | other                  | token meant for another audience
            PUBLIC_KEY   | other                  | token meant for another audience
            HMAC         |                        | aud missing
            PUBLIC_KEY   |                        | aud missing
            """)
    void aTokenForAnotherAudienceIsRefused(Kind kind, String audience, String why) throws Exception {
        JwtVerifier verifier = verifier(kind, CHECKS);
        String token = token(kind, c -> c.audience(audience == null ? null : List.of(audience)));
        assertEquals(why, reason(verifier.verify(token)));
        // a list naming one accepted audience among others passes (RFC 7519 §4.1.3)
        assertEquals(new Credential.Valid("alice"), verifier.verify(token(kind, c -> c.audience(List.of("x", "media")))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HMAC", "PUBLIC_KEY"})
    void aTokenFromAnotherIssuerIsRefused(Kind kind) throws Exception {
        JwtVerifier verifier = verifier(kind, CHECKS);
        assertEquals("token from another issuer", reason(verifier.verify(token(kind,
                c -> c.issuer("https://login.example.com.evil.test")))));
        assertEquals("iss missing", reason(verifier.verify(token(kind, c -> c.issuer(null)))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            # kind     | iat (s from now) | exp (s from now) | outcome
            HMAC       |  -60             |  600             | valid
            PUBLIC_KEY |  -60             |  600             | valid
            HMAC       |                  |  3600            | valid
            HMAC       |                  |  3631            | token valid for longer than jwt-max-lifetime (3600 s)
            PUBLIC_KEY |                  |  315360000       | token valid for longer than jwt-max-lifetime (3600 s)
            HMAC       |  -3000           |  900             | token issued for longer than jwt-max-lifetime (3600 s)
            PUBLIC_KEY |  -3000           |  900             | token issued for longer than jwt-max-lifetime (3600 s)
            HMAC       |  600             |  900             | token issued in the future
            """)
    void aTokenValidForYearsIsRefused(Kind kind, Long iat, long exp, String outcome) throws Exception {
        JwtVerifier verifier = verifier(kind, CHECKS);
        Credential c = verifier.verify(token(kind, b -> b.issueTime(iat == null ? null : Date.from(NOW.plusSeconds(iat)))
                .expirationTime(Date.from(NOW.plusSeconds(exp)))));
        assertEquals(outcome, c instanceof Credential.Valid ? "valid" : reason(c));
    }

    @Test
    void withoutTheChecksConfiguredNothingChanges() throws Exception {
        JwtVerifier verifier = verifier(Kind.HMAC, JwtTrust.NONE);
        assertEquals(new Credential.Valid("alice"), verifier.verify(token(Kind.HMAC, c -> c.audience("other")
                .issuer(null).expirationTime(Date.from(NOW.plusSeconds(86_400 * 365))))));
    }

    @Test
    void settingsOutOfRangeAreRefusedWithTheKeyNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JwtTrust.NONE.withMaxLifetime(Duration.ZERO))
                .getMessage().contains("jwt-max-lifetime"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JwtTrust.NONE.withIssuer(" "))
                .getMessage().contains("jwt-issuer"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> JwtTrust.NONE.withJwksUrl(URI.create("http://login.example.com/jwks.json")))
                .getMessage().contains("must use https"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> JwtTrust.NONE.withKeyFile(dir).withJwksUrl(URI.create("https://login.example.com/jwks")))
                .getMessage().contains("not both"));
    }

    private static String alphabet() {
        return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    }

    static {
        try {
            ecKey = new ECKeyGenerator(Curve.P_256).keyID("ec1").generate();
        } catch (JOSEException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
