package io.keyhole.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keyhole.NameValue;
import io.keyhole.testing.TestRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * JWTs as clients send them: where they are found ({@link TokenSource}) and how they are checked
 * ({@link JwtVerifier}). Any text is a verdict, never an exception, and no reason repeats the
 * token; a token signed with the key is judged exactly by its {@code exp}, {@code nbf} and claim.
 */
class JwtFuzzTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
    private static final Duration LEEWAY = Duration.ofSeconds(30);
    private static final JwtVerifier VERIFIER = new JwtVerifier(KEY, "HS256", "uid", LEEWAY,
            Clock.fixed(NOW, ZoneOffset.UTC));

    @DictionaryEntries({"Bearer ", "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJub25lIn0", ".", "eyJleHAiOjE5MDAwMDAwMDB9", "="})
    @FuzzTest
    void anyToken(FuzzedDataProvider data) {
        String header = data.consumeString(300);
        String token = data.consumeRemainingAsString();
        TestRequest request = TestRequest.get("/x").withHeader("Authorization", header).withHeader("X-Jwt", token)
                .withCookies(List.of(new NameValue("jwt", token)));
        String bearer = TokenSource.bearer().find(request);
        if (bearer != null) {
            assertFalse(bearer.isEmpty());
            assertTrue(bearer.chars().allMatch(c -> c > 0x20 && c < 0x7f), "a bearer token is token68");
            judge(bearer);
        }
        String fromHeader = TokenSource.header("X-Jwt").find(request);
        if (fromHeader != null) {
            assertEquals(fromHeader, fromHeader.trim());
            judge(fromHeader);
        }
        judge(TokenSource.cookie("jwt").find(request));
    }

    private static void judge(String token) {
        Credential verdict = VERIFIER.verify(token);
        if (token == null) {
            assertInstanceOf(Credential.Absent.class, verdict);
        } else if (verdict instanceof Credential.Invalid invalid) {
            reasonIsSafe(invalid.reason(), token);
        }
    }

    @FuzzTest
    void signedToken(FuzzedDataProvider data) throws JOSEException {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder();
        Long exp = data.consumeBoolean() ? data.consumeLong(-300_000_000_000L, 300_000_000_000L) : null;
        boolean half = data.consumeBoolean();
        if (exp != null) {
            claims.claim("exp", half ? (Object) (exp + 0.5) : exp);
        }
        Long nbf = data.consumeBoolean() ? NOW.getEpochSecond() + data.consumeLong(-100, 100) : null;
        if (nbf != null) {
            claims.claim("nbf", nbf);
        }
        Object uid = switch (data.consumeInt(0, 3)) {
            case 0 -> null;
            case 1 -> data.consumeString(50);
            case 2 -> data.consumeLong();
            default -> data.consumeBoolean();
        };
        if (uid != null) {
            claims.claim("uid", uid);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        jwt.sign(new MACSigner(KEY));
        String token = jwt.serialize();

        Credential verdict = VERIFIER.verify(token);
        boolean live = exp != null && Math.abs(half ? exp + 0.5 : exp) <= 253_402_300_799L
                && NOW.isBefore(Instant.ofEpochSecond(exp, half ? 500_000_000 : 0).plus(LEEWAY))
                && (nbf == null || !NOW.isBefore(Instant.ofEpochSecond(nbf).minus(LEEWAY)));
        boolean readable = uid instanceof String || uid instanceof Long;
        if (live && readable) {
            Credential.Valid valid = assertInstanceOf(Credential.Valid.class, verdict, () -> verdict.toString());
            assertEquals(uid.toString(), valid.value());
        } else {
            Credential.Invalid invalid = assertInstanceOf(Credential.Invalid.class, verdict);
            reasonIsSafe(invalid.reason(), token);
        }
        String tampered = token.substring(0, token.lastIndexOf('.')) + "." + data.consumeAsciiString(10);
        if (!tampered.equals(token)) {
            assertInstanceOf(Credential.Invalid.class, VERIFIER.verify(tampered));
        }
    }

    /** A reason may be logged: it holds no part of the token worth stealing. */
    private static void reasonIsSafe(String reason, String token) {
        for (String part : token.split("\\.")) {
            if (part.length() >= 8) {
                assertFalse(reason.contains(part), "the reason repeats the token: " + reason);
            }
        }
    }
}
