package io.keyhole.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Media tokens: what verifies, what does not, and why. Time is moved, never waited for. */
class MediaUrlSignerTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final byte[] K1 = "k1-0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final byte[] K2 = "k2-0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final MediaPath PDF = MediaPath.of("docs/report.pdf");

    /** Signs with k1 at T0 (lifetime 120 s, leeway 10 s) unless a row says otherwise. */
    static MediaUrlSigner signer(TestClock clock) {
        return MediaUrlSigner.builder().signingKey("k1", K1).clock(clock).build();
    }

    /** A row: made at T0 by {@code maker}, checked {@code later} after T0 by the default signer. */
    record Row(Function<TestClock, String> maker, Duration later, MediaPath path, String method,
               Class<? extends TokenCheck> expected) {
    }

    static Row row(Function<TestClock, String> maker, Duration later, Class<? extends TokenCheck> expected) {
        return new Row(maker, later, PDF, "GET", expected);
    }

    static final Function<TestClock, String> FRESH = c -> signer(c).sign(PDF);

    static Stream<Arguments> table() {
        Duration zero = Duration.ZERO;
        return Stream.of(
                Arguments.of("fresh token", row(FRESH, zero, TokenCheck.Valid.class)),
                // expiry at the edge: valid up to and including expiry + leeway, not a millisecond longer
                Arguments.of("at expiry (120 s)", row(FRESH, Duration.ofSeconds(120), TokenCheck.Valid.class)),
                Arguments.of("at expiry + leeway (130 s)", row(FRESH, Duration.ofSeconds(130), TokenCheck.Valid.class)),
                Arguments.of("1 ms past expiry + leeway", row(FRESH, Duration.ofMillis(130_001), TokenCheck.Expired.class)),
                Arguments.of("10 minutes later", row(FRESH, Duration.ofMinutes(10), TokenCheck.Expired.class)),
                // leeway: a maker whose clock runs ahead by up to the leeway is still accepted
                Arguments.of("maker 10 s ahead", row(c -> signer(new TestClock(T0.plusSeconds(10))).sign(PDF), zero,
                        TokenCheck.Valid.class)),
                Arguments.of("maker 11 s ahead", row(c -> signer(new TestClock(T0.plusSeconds(11))).sign(PDF), zero,
                        TokenCheck.AheadOfClock.class)),
                Arguments.of("maker's lifetime 1 h", row(c -> MediaUrlSigner.builder().signingKey("k1", K1)
                        .lifetime(Duration.ofHours(1)).clock(c).build().sign(PDF), zero, TokenCheck.AheadOfClock.class)),
                // what the signature covers
                Arguments.of("wrong path", new Row(FRESH, zero, MediaPath.of("docs/other.pdf"), "GET",
                        TokenCheck.Invalid.class)),
                Arguments.of("path one directory up", new Row(FRESH, zero, MediaPath.of("report.pdf"), "GET",
                        TokenCheck.Invalid.class)),
                Arguments.of("wrong key id", row(c -> MediaUrlSigner.builder().signingKey("k9", K1).clock(c).build()
                        .sign(PDF), zero, TokenCheck.Invalid.class)),
                Arguments.of("right key id, other secret", row(c -> MediaUrlSigner.builder().signingKey("k1", K2)
                        .clock(c).build().sign(PDF), zero, TokenCheck.Invalid.class)),
                Arguments.of("expiry pushed later", row(c -> extend(FRESH.apply(c)), zero, TokenCheck.Invalid.class)),
                Arguments.of("key id swapped", row(c -> "k2" + FRESH.apply(c).substring(2), zero,
                        TokenCheck.Invalid.class)),
                // method binding (on by default); HEAD is GET without a body
                Arguments.of("token for PUT used for GET", row(c -> signer(c).sign(PDF, "PUT"), zero,
                        TokenCheck.Invalid.class)),
                Arguments.of("token for GET used for POST", new Row(FRESH, zero, PDF, "POST", TokenCheck.Invalid.class)),
                Arguments.of("token for GET used for HEAD", new Row(FRESH, zero, PDF, "HEAD", TokenCheck.Valid.class)),
                Arguments.of("token for GET used for get", new Row(FRESH, zero, PDF, "get", TokenCheck.Invalid.class)),
                // malformed
                Arguments.of("no token", row(c -> null, zero, TokenCheck.Missing.class)),
                Arguments.of("empty token", row(c -> "", zero, TokenCheck.Missing.class)),
                Arguments.of("padding added", row(c -> FRESH.apply(c) + "==", zero, TokenCheck.Invalid.class)),
                Arguments.of("fourth part", row(c -> FRESH.apply(c) + ".x", zero, TokenCheck.Invalid.class)),
                Arguments.of("leading zero in expiry", row(c -> FRESH.apply(c).replace("k1.", "k1.0"), zero,
                        TokenCheck.Invalid.class)),
                Arguments.of("standard base64 alphabet", row(c -> FRESH.apply(c).substring(0, FRESH.apply(c).length() - 1)
                        + "+", zero, TokenCheck.Invalid.class)),
                Arguments.of("very long", row(c -> "k1.1767225720." + "A".repeat(5000), zero, TokenCheck.Invalid.class)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void table(String name, Row row) {
        TestClock clock = new TestClock(T0);
        String token = row.maker().apply(clock);
        clock.advance(row.later());
        TokenCheck check = signer(clock).check(token, row.path(), row.method());
        assertInstanceOf(row.expected(), check, name + ": " + check);
    }

    /** The expiry one second later, signature unchanged. */
    static String extend(String token) {
        String[] p = token.split("\\.");
        return p[0] + "." + (Long.parseLong(p[1]) + 1) + "." + p[2];
    }

    @Test
    void rotatedKeyStillVerifies() {
        TestClock clock = new TestClock(T0);
        String old = signer(clock).sign(PDF);
        MediaUrlSigner rotated = MediaUrlSigner.builder().signingKey("k2", K2).verifyingKey("k1", K1).clock(clock).build();
        String current = rotated.sign(PDF);

        assertTrue(current.startsWith("k2."), current);
        assertEquals(new TokenCheck.Valid("k1", T0.plusSeconds(120)), rotated.check(old, PDF, "GET"));
        assertEquals(new TokenCheck.Valid("k2", T0.plusSeconds(120)), rotated.check(current, PDF, "GET"));
        // the media host that has not rotated yet refuses the new key's tokens: rotate the verifiers first
        assertInstanceOf(TokenCheck.Invalid.class, signer(clock).check(current, PDF, "GET"));
        assertEquals(java.util.List.of("k2", "k1"), rotated.keyIds());
    }

    static IntStream signaturePositions() {
        return IntStream.range(0, 22);
    }

    @ParameterizedTest(name = "signature character {0} changed")
    @MethodSource("signaturePositions")
    void everySignatureCharacterCounts(int position) {
        TestClock clock = new TestClock(T0);
        String token = signer(clock).sign(PDF);
        int at = token.lastIndexOf('.') + 1 + position;
        // The next character of the base64url alphabet: still well-formed, so only the signature check can catch it.
        // In the last character that may flip only bits beyond the 128 signed ones; the text comparison still sees it.
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char other = alphabet.charAt((alphabet.indexOf(token.charAt(at)) + 1) % alphabet.length());
        String tampered = token.substring(0, at) + other + token.substring(at + 1);
        assertNotEquals(token, tampered);
        assertInstanceOf(TokenCheck.Invalid.class, signer(clock).check(tampered, PDF, "GET"));
    }

    @Test
    void everyTruncationIsRefused() {
        TestClock clock = new TestClock(T0);
        String token = signer(clock).sign(PDF);
        for (int length = 1; length < token.length(); length++) {
            TokenCheck check = signer(clock).check(token.substring(0, length), PDF, "GET");
            assertInstanceOf(TokenCheck.Invalid.class, check, "first " + length + " characters");
        }
    }

    @Test
    void unboundTokensServeAnyMethod() {
        TestClock clock = new TestClock(T0);
        MediaUrlSigner unbound = MediaUrlSigner.builder().signingKey("k1", K1).bindMethod(false).clock(clock).build();
        String token = unbound.sign(PDF, "PUT");
        assertInstanceOf(TokenCheck.Valid.class, unbound.check(token, PDF, "GET"));
        assertInstanceOf(TokenCheck.Valid.class, unbound.check(token, PDF, "DELETE"));
        // binding is part of what is signed: a bound verifier refuses an unbound token
        assertInstanceOf(TokenCheck.Invalid.class, signer(clock).check(token, PDF, "GET"));
    }

    @Test
    void tokensAreShortUrlSafeAndSayWhenTheyExpire() {
        TestClock clock = new TestClock(T0);
        String token = signer(clock).sign(MediaPath.of("a/very/long/path/with/many/segments/and/a/file name.pdf"));
        assertTrue(token.matches("k1\\.1767225720\\.[A-Za-z0-9_-]{22}"), token);
        assertTrue(token.length() < 50, token);
    }

    @Test
    void expiredSaysHowLongAgo() {
        TestClock clock = new TestClock(T0);
        String token = signer(clock).sign(PDF);
        clock.advance(Duration.ofSeconds(300));
        assertEquals(new TokenCheck.Expired(T0.plusSeconds(120), Duration.ofSeconds(180)),
                signer(clock).check(token, PDF, "GET"));
    }

    @Test
    void messagesNeverContainTheToken() {
        TestClock clock = new TestClock(T0);
        String token = signer(clock).sign(PDF);
        for (MediaPath other : new MediaPath[] {MediaPath.of("x.pdf"), PDF}) {
            TokenCheck check = signer(clock).check(token.replace("k1.", "k7."), other, "GET");
            String text = check.toString();
            assertTrue(!text.contains(token.substring(token.lastIndexOf('.') + 1)), text);
        }
        assertTrue(!signer(clock).toString().contains("0123456789abcdef"), "no key material in toString");
    }

    @ParameterizedTest(name = "key id ''{0}'' refused")
    @ValueSource(strings = {"", "k.1", "k:1", "seventeen-chars-x", "ключ"})
    void keyIdGrammar(String id) {
        assertThrows(IllegalArgumentException.class, () -> MediaUrlSigner.builder().signingKey(id, K1));
    }

    @Test
    void settingsOutOfRangeAreRefusedWithTheirName() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> MediaUrlSigner.builder().signingKey("k1", "short".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("has 5 bytes; use at least 32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MediaUrlSigner.builder().lifetime(Duration.ofSeconds(5)));
        assertTrue(e.getMessage().startsWith("media-token-lifetime"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MediaUrlSigner.builder().lifetime(Duration.ofMillis(90_500)));
        assertTrue(e.getMessage().contains("whole seconds"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MediaUrlSigner.builder().leeway(Duration.ofMinutes(2)));
        assertTrue(e.getMessage().startsWith("media-token-leeway"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MediaUrlSigner.builder().signingKey("k1", K1).verifyingKey("k1", K2));
        assertTrue(e.getMessage().contains("'k1' is given twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MediaUrlSigner.builder().verifyingKey("k1", K1).build());
        assertTrue(e.getMessage().startsWith("media-key is required"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> MediaUrlSigner.builder().bindMethod(true).bindMethod(false));
    }
}
