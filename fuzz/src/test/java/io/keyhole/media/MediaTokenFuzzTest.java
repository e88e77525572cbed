package io.keyhole.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Media tokens as they arrive in the {@code token} parameter ({@link MediaUrlSigner#check}): any
 * text is a verdict, never an exception; a token is {@code Valid} only when it is, character for
 * character, the one the signer makes for that path, method and expiry; and a genuine token is
 * valid for its own path and method only.
 */
class MediaTokenFuzzTest {

    private static final byte[] K1 = "media-key-one-0123456789abcdef-0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] K2 = "media-key-two-0123456789abcdef-0".getBytes(StandardCharsets.US_ASCII);
    private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);
    private static final MediaPath PATH = MediaPath.of("docs/report.pdf");

    private static MediaUrlSigner signer(Instant now) {
        return MediaUrlSigner.builder().signingKey("k1", K1).verifyingKey("k2", K2).bindMethod(true)
                .clock(Clock.fixed(now, ZoneOffset.UTC)).build();
    }

    private static final MediaUrlSigner SIGNER = signer(NOW);

    @DictionaryEntries({"k1.", "k2.", ".1800000120.", "1800000000"})
    @FuzzTest
    void anyToken(FuzzedDataProvider data) {
        String method = data.pickValue(new String[] {"GET", "HEAD", "PUT", "DELETE"});
        String token = data.consumeRemainingAsString();
        TokenCheck check = SIGNER.check(token, PATH, method);
        if (check instanceof TokenCheck.Invalid invalid) {
            assertFalse(token.length() >= 8 && invalid.reason().contains(token), "the reason repeats the token");
        }
        if (check instanceof TokenCheck.Valid valid) {
            // a genuine token: the signer, set to the moment it was made, makes exactly this one
            Instant madeAt = valid.expires().minus(SIGNER.lifetime());
            assertEquals("k1", valid.keyId(), "only k1 is used here to make tokens the fuzzer could find");
            assertEquals(token, signer(madeAt).sign(PATH, method));
        }
    }

    @FuzzTest
    void genuineToken(FuzzedDataProvider data) {
        Instant madeAt = NOW.plusSeconds(data.consumeLong(-4000, 4000));
        String method = data.pickValue(new String[] {"GET", "HEAD", "PUT", "DELETE"});
        String token = signer(madeAt).sign(PATH, method);
        TokenCheck check = SIGNER.check(token, PATH, method);
        Instant expires = madeAt.plus(SIGNER.lifetime());
        if (NOW.isAfter(expires.plus(SIGNER.leeway()))) {
            assertInstanceOf(TokenCheck.Expired.class, check);
        } else if (expires.isAfter(NOW.plus(SIGNER.lifetime()).plus(SIGNER.leeway()))) {
            assertInstanceOf(TokenCheck.AheadOfClock.class, check);
        } else {
            assertEquals(new TokenCheck.Valid("k1", expires), check);
        }
        String other = data.consumeRemainingAsString();
        MediaPath otherPath = MediaPath.fromDecoded(other);
        if (otherPath != null && !otherPath.equals(PATH)) {
            assertInstanceOf(TokenCheck.Invalid.class, SIGNER.check(token, otherPath, method), "bound to its path");
        }
        String otherMethod = method.equals("PUT") ? "GET" : "PUT";
        assertInstanceOf(TokenCheck.Invalid.class, SIGNER.check(token, PATH, otherMethod), "bound to its method");
        String flipped = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
        assertInstanceOf(TokenCheck.Invalid.class, SIGNER.check(flipped, PATH, method));
        assertTrue(check.renewable() || check instanceof TokenCheck.Valid);
    }

}
