package io.keyhole;

import com.nimbusds.jwt.JWTParser;
import io.keyhole.credential.Credential;
import io.keyhole.credential.JwtVerifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.Objects;
import java.util.function.Function;

/**
 * Tokens already verified, remembered until their {@code exp} so that a page of many files checks
 * its token once: in front of a {@link JwtVerifier}, keeping only what it found valid. An entry is
 * found by the SHA-256 of the token, never by the token itself; it ends at {@code exp} (the
 * leeway after it goes back to the verifier), and {@link #clear()} empties the whole cache, as a
 * change of keys must. Bounded. Thread-safe.
 */
final class CredentialCache {

    /** Most tokens remembered at once. */
    static final int SIZE = 10_000;

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });

    private final Function<String, Credential> verifier;
    private final Clock clock;
    private final ExpiringMap<ByteBuffer, Credential> valid;

    /** @param verifier what checks a token the cache does not hold ({@link JwtVerifier#verify}) */
    CredentialCache(Function<String, Credential> verifier, Clock clock, int size) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.valid = new ExpiringMap<>(size);
    }

    /** What {@code token} is: remembered when it was found valid before and has not reached {@code exp}. */
    Credential verify(String token) {
        if (token == null || token.length() > JwtVerifier.MAX_TOKEN_LENGTH) {
            return verifier.apply(token);
        }
        ByteBuffer key = ByteBuffer.wrap(SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
        Credential remembered = valid.get(key, clock.millis());
        if (remembered != null) {
            return remembered;
        }
        Credential credential = verifier.apply(token);
        if (credential instanceof Credential.Valid) {
            Date exp = expiry(token);
            if (exp != null) {
                valid.put(key, credential, clock.millis(), exp.getTime(), () -> true);
            }
        }
        return credential;
    }

    /** Forgets every token: the keys that verified them changed. */
    void clear() {
        valid.clear();
    }

    /** Tokens held, expired ones included until they are looked up or evicted. */
    int size() {
        return valid.size();
    }

    /** The {@code exp} of a token the verifier accepted; {@code null} when it cannot be read (then nothing is kept). */
    private static Date expiry(String token) {
        try {
            return JWTParser.parse(token).getJWTClaimsSet().getExpirationTime();
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }
}
