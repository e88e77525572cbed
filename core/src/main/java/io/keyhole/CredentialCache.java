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

    private static final ThreadLocal<Hasher> HASHER = ThreadLocal.withInitial(Hasher::new);

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
        Key key = HASHER.get().key(token);
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

    /**
     * One thread's SHA-256 and its buffers: a token's hash is taken without copying the token
     * into a new array, as every request would otherwise do.
     */
    private static final class Hasher {
        private final MessageDigest sha256;
        private final byte[] chunk = new byte[512];
        private final byte[] digest = new byte[32];

        Hasher() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }

        /** The hash of the token's UTF-8 bytes. */
        Key key(String token) {
            for (int from = 0; from < token.length(); ) {
                int n = Math.min(chunk.length, token.length() - from);
                for (int i = 0; i < n; i++) {
                    char c = token.charAt(from + i);
                    if (c >= 0x80) {
                        // not a token a verifier accepts (those are ASCII); hashed all the same, and as UTF-8
                        sha256.reset();
                        sha256.update(token.getBytes(StandardCharsets.UTF_8));
                        return done();
                    }
                    chunk[i] = (byte) c;
                }
                sha256.update(chunk, 0, n);
                from += n;
            }
            return done();
        }

        private Key done() {
            try {
                sha256.digest(digest, 0, digest.length);
            } catch (DigestException e) {
                throw new IllegalStateException("a SHA-256 digest fits 32 bytes", e);
            }
            return new Key(word(0), word(8), word(16), word(24));
        }

        private long word(int at) {
            long w = 0;
            for (int i = at; i < at + 8; i++) {
                w = w << 8 | digest[i] & 0xFF;
            }
            return w;
        }
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
