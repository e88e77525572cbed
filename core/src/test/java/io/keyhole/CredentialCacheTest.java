package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.credential.Credential;
import io.keyhole.credential.JwtVerifier;
import io.keyhole.testing.TestClock;
import io.keyhole.testing.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Verified tokens remembered until their {@code exp}, by a test clock, in front of the real verifier. */
class CredentialCacheTest {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    final TestClock clock = new TestClock(NOW);
    final JwtVerifier jwt = new JwtVerifier(Tokens.KEY, "HS256", "uid", Duration.ofSeconds(30), clock);
    final AtomicInteger verified = new AtomicInteger();
    final CredentialCache cache = new CredentialCache(token -> {
        verified.incrementAndGet();
        return jwt.verify(token);
    }, clock, 100);

    @Test
    void aValidTokenIsVerifiedOnceUntilItsExp() {
        String token = Tokens.hs256(Tokens.KEY, "alice", NOW.plusSeconds(60));
        assertEquals(new Credential.Valid("alice"), cache.verify(token));
        clock.advance(Duration.ofMillis(59_999));
        assertEquals(new Credential.Valid("alice"), cache.verify(token));
        assertEquals(1, verified.get());

        clock.advance(Duration.ofMillis(1));
        assertEquals(new Credential.Valid("alice"), cache.verify(token), "within the leeway the verifier still says yes");
        assertEquals(new Credential.Valid("alice"), cache.verify(token));
        assertEquals(3, verified.get(), "from exp on, every check goes to the verifier, which applies the leeway");
        clock.advance(Duration.ofSeconds(30));
        assertInstanceOf(Credential.Invalid.class, cache.verify(token));
    }

    @Test
    void invalidTokensAreNeverRemembered() {
        String forged = Tokens.hs256(Tokens.OTHER_KEY, "alice", NOW.plusSeconds(60));
        assertInstanceOf(Credential.Invalid.class, cache.verify(forged));
        assertInstanceOf(Credential.Invalid.class, cache.verify(forged));
        assertEquals(2, verified.get());
        assertInstanceOf(Credential.Absent.class, cache.verify(null));
    }

    @Test
    void aTamperedCopyOfARememberedTokenIsCheckedAfresh() {
        String token = Tokens.hs256(Tokens.KEY, "alice", NOW.plusSeconds(60));
        cache.verify(token);
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        assertInstanceOf(Credential.Invalid.class, cache.verify(tampered));
        assertEquals(2, verified.get());
    }

    @Test
    void clearForgetsEveryTokenAsAKeyChangeMust() {
        String token = Tokens.hs256(Tokens.KEY, "alice", NOW.plusSeconds(60));
        cache.verify(token);
        cache.clear();
        cache.verify(token);
        assertEquals(2, verified.get());
    }

    @Test
    void theCacheIsBounded() {
        CredentialCache small = new CredentialCache(jwt::verify, clock, 10);
        for (int i = 0; i < 100; i++) {
            assertEquals(new Credential.Valid("u" + i), small.verify(Tokens.hs256(Tokens.KEY, "u" + i, NOW.plusSeconds(60))));
        }
        assertTrue(small.size() <= 10, "held " + small.size());
    }
}
