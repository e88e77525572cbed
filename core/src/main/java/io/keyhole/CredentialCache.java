package io.keyhole;

import com.nimbusds.jwt.JWTParser;
import io.keyhole.credential.Credential;
import io.keyhole.credential.JwtVerifier;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
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

    /**
     * Each thread's SHA-256 and buffers, so that a token's hash is taken without copying the
     * token into a new array, as every request would otherwise do. Held as JDK objects only: an
     * object of ours left in a container thread's map would keep the web application's class
     * loader, and every class it loaded, alive after the application is undeployed.
     */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(CredentialCache::sha256);
    /** {@value #CHUNK_BYTES} bytes of a token's characters, then the 32 bytes of its digest. */
    private static final int CHUNK_BYTES = 512;
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[CHUNK_BYTES + 32]);

    /**
     * The SHA-256 of a token, as four numbers: the key an entry is found by. Equality and hash are
     * written out: a record's generated ones go through method handles, which on JDK 17 cost a
     * cached request more than the rest of its lookup.
     */
    private record Key(long a, long b, long c, long d) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && a == k.a && b == k.b && c == k.c && d == k.d;
        }

        @Override
        public int hashCode() {
            // The bits of a digest are evenly spread already.
            return Long.hashCode(a);
        }
    }

    private final Function<String, Credential> verifier;
    private final Clock clock;
    private final ExpiringMap<Key, Credential> valid;

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
        Key key = key(token);
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

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The hash of the token's UTF-8 bytes. */
    private static Key key(String token) {
        MessageDigest sha256 = SHA256.get();
        byte[] scratch = SCRATCH.get();
        for (int from = 0; from < token.length(); ) {
            int n = Math.min(CHUNK_BYTES, token.length() - from);
            for (int i = 0; i < n; i++) {
                char c = token.charAt(from + i);
                if (c >= 0x80) {
                    // not a token a verifier accepts (those are ASCII); hashed all the same, and as UTF-8
                    sha256.reset();
                    sha256.update(token.getBytes(StandardCharsets.UTF_8));
                    return digest(sha256, scratch);
                }
                scratch[i] = (byte) c;
            }
            sha256.update(scratch, 0, n);
            from += n;
        }
        return digest(sha256, scratch);
    }

    private static Key digest(MessageDigest sha256, byte[] scratch) {
        try {
            sha256.digest(scratch, CHUNK_BYTES, 32);
        } catch (DigestException e) {
            throw new IllegalStateException("a SHA-256 digest fits 32 bytes", e);
        }
        return new Key(word(scratch, CHUNK_BYTES), word(scratch, CHUNK_BYTES + 8),
                word(scratch, CHUNK_BYTES + 16), word(scratch, CHUNK_BYTES + 24));
    }

    private static long word(byte[] bytes, int at) {
        long w = 0;
        for (int i = at; i < at + 8; i++) {
            w = w << 8 | bytes[i] & 0xFF;
        }
        return w;
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
