package io.keyhole.media;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes and checks the expiring tokens of media URLs ({@code ?token=...}). Immutable and
 * thread-safe.
 *
 * <p>A token reads {@code <key id>.<expiry>.<signature>}, e.g.
 * {@code k2.1767225720.Xq3v0Jm5b1cWfQzA9s7LkQ}: the id of the key that signed it, the expiry in
 * Unix seconds, and the first 128 bits of an HMAC-SHA256, base64url without padding, over the key
 * id, the expiry, the HTTP method (when bound) and the {@link MediaPath}. Every part is URL-safe;
 * the whole is under 50 characters.
 *
 * <p>One key signs; it and any number of older keys verify, so keys can be rotated without
 * breaking the links in pages already served: start signing with the new key, keep the old one
 * as a verifying key for one token lifetime plus leeway, then drop it.
 */
public final class MediaUrlSigner {

    /** Token lifetime of the original library: two minutes. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(120);
    /** Clock difference between application and media hosts tolerated by default. */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(10);
    /** Shortest key accepted: as long as the hash's output. */
    public static final int MIN_KEY_BYTES = 32;
    /** Shortest and longest lifetimes accepted. */
    public static final Duration MIN_LIFETIME = Duration.ofSeconds(10);
    public static final Duration MAX_LIFETIME = Duration.ofHours(1);
    /** Largest leeway accepted. */
    public static final Duration MAX_LEEWAY = Duration.ofSeconds(60);

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,16}");
    private static final Pattern EXPIRY = Pattern.compile("[1-9][0-9]{0,11}");
    private static final int SIGNATURE_BYTES = 16;
    private static final int SIGNATURE_CHARS = 22;
    private static final Pattern SIGNATURE = Pattern.compile("[A-Za-z0-9_-]{" + SIGNATURE_CHARS + "}");
    private static final int MAX_TOKEN_CHARS = 16 + 1 + 12 + 1 + SIGNATURE_CHARS;
    private static final String ALGORITHM = "HmacSHA256";
    /** Domain separation: these signatures can never be mistaken for the same key's other uses. */
    private static final String CONTEXT = "keyhole media url v1";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final String signingKeyId;
    private final Map<String, SecretKeySpec> keys;
    /** Each key's MAC, initialised once; a check works on a clone, which skips the key schedule. */
    private final Map<String, Mac> macs;
    private final Duration lifetime;
    private final Duration leeway;
    private final boolean bindMethod;
    private final Clock clock;

    private MediaUrlSigner(Builder b) {
        this.signingKeyId = b.signingKeyId;
        this.keys = Collections.unmodifiableMap(new LinkedHashMap<>(b.keys));
        Map<String, Mac> initialised = new LinkedHashMap<>();
        keys.forEach((id, key) -> initialised.put(id, initialised(key)));
        this.macs = Collections.unmodifiableMap(initialised);
        this.lifetime = b.lifetime;
        this.leeway = b.leeway;
        this.bindMethod = b.bindMethod;
        this.clock = b.clock;
    }

    /** A builder; a signing key is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A token for {@code GET} (and {@code HEAD}) of {@code path}, valid for the lifetime from now. */
    public String sign(MediaPath path) {
        return sign(path, "GET");
    }

    /**
     * A token for {@code path}, valid for the lifetime from now; bound to {@code method} when
     * method binding is on ({@code HEAD} counts as {@code GET}).
     */
    public String sign(MediaPath path, String method) {
        Objects.requireNonNull(path, "path");
        String expiry = Long.toString(clock.instant().getEpochSecond() + lifetime.toSeconds());
        return signingKeyId + '.' + expiry + '.' + signature(signingKeyId, expiry,
                scope(method), path);
    }

    /**
     * Checks {@code token} for a request of {@code method} on {@code path}. The signature is
     * compared in constant time, and before the expiry is trusted.
     *
     * @param token the {@code token} query parameter's value, or {@code null} when absent
     */
    public TokenCheck check(String token, MediaPath path, String method) {
        Objects.requireNonNull(path, "path");
        if (token == null || token.isEmpty()) {
            return new TokenCheck.Missing();
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            return new TokenCheck.Invalid("malformed token: longer than " + MAX_TOKEN_CHARS + " characters");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || !KEY_ID.matcher(parts[0]).matches() || !EXPIRY.matcher(parts[1]).matches()
                || !SIGNATURE.matcher(parts[2]).matches()) {
            return new TokenCheck.Invalid("malformed token: expected <key id>.<expiry>.<22-character signature>");
        }
        SecretKeySpec key = keys.get(parts[0]);
        if (key == null) {
            return new TokenCheck.Invalid("unknown key id '" + parts[0] + "' (known: " + String.join(", ", keys.keySet())
                    + ")");
        }
        String expected = signature(parts[0], parts[1], scope(method), path);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return new TokenCheck.Invalid("signature does not match: tampered, or made for another path"
                    + (bindMethod ? " or method" : "") + " or with another key of the same id");
        }
        Instant expires = Instant.ofEpochSecond(Long.parseLong(parts[1]));
        Instant now = clock.instant();
        if (now.isAfter(expires.plus(leeway))) {
            return new TokenCheck.Expired(expires, Duration.between(expires, now));
        }
        Instant latest = now.plus(lifetime).plus(leeway);
        if (expires.isAfter(latest)) {
            return new TokenCheck.AheadOfClock(expires, Duration.between(latest, expires));
        }
        return new TokenCheck.Valid(parts[0], expires);
    }

    /** The id of the key that signs. */
    public String signingKeyId() {
        return signingKeyId;
    }

    /** Every key id that verifies, the signing key's first. */
    public List<String> keyIds() {
        return List.copyOf(keys.keySet());
    }

    /** How long a new token is valid. */
    public Duration lifetime() {
        return lifetime;
    }

    /** Clock difference tolerated when checking expiry. */
    public Duration leeway() {
        return leeway;
    }

    /** Whether tokens are bound to the HTTP method. */
    public boolean bindsMethod() {
        return bindMethod;
    }

    /** The clock tokens are made and checked with. */
    public Clock clock() {
        return clock;
    }

    @Override
    public String toString() {
        // Key ids and policy only: never key material.
        return "MediaUrlSigner[signing " + signingKeyId + ", verifying " + keys.keySet() + ", lifetime "
                + lifetime.toSeconds() + " s, leeway " + leeway.toSeconds() + " s" + (bindMethod ? ", method-bound" : "")
                + "]";
    }

    private String scope(String method) {
        if (!bindMethod) {
            return "*";
        }
        Objects.requireNonNull(method, "method");
        return method.equals("HEAD") ? "GET" : method;
    }

    private String signature(String keyId, String expiry, String scope, MediaPath path) {
        // Newlines cannot occur in any of the parts, so the fields cannot run into each other.
        String input = CONTEXT + '\n' + keyId + '\n' + expiry + '\n' + scope + '\n' + path.value();
        Mac mac;
        try {
            mac = (Mac) macs.get(keyId).clone();
        } catch (CloneNotSupportedException e) {
            mac = initialised(keys.get(keyId));
        }
        byte[] full = mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        return BASE64URL.encodeToString(Arrays.copyOf(full, SIGNATURE_BYTES));
    }

    private static Mac initialised(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has " + ALGORITHM, e);
        }
    }

    /**
     * Builds a {@link MediaUrlSigner}. Each setting may be made once; values out of range are
     * refused with a message naming the setting.
     */
    public static final class Builder {

        private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        private final List<String> made = new ArrayList<>();
        private String signingKeyId;
        private Duration lifetime = DEFAULT_LIFETIME;
        private Duration leeway = DEFAULT_LEEWAY;
        private boolean bindMethod = true;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        private void once(String setting) {
            if (made.contains(setting)) {
                throw new IllegalStateException("'" + setting + "' was already set");
            }
            made.add(setting);
        }

        /**
         * {@code media-key}: the key that signs (and verifies).
         *
         * @param id     1..16 characters of {@code A-Z a-z 0-9 _ -}; goes into every token
         * @param secret at least {@value #MIN_KEY_BYTES} bytes; copied
         */
        public Builder signingKey(String id, byte[] secret) {
            once("media-key");
            addKey("media-key", id, secret);
            signingKeyId = id;
            return this;
        }

        /** {@code media-verify-keys}: a further key that only verifies, e.g. the one signing until a rotation. */
        public Builder verifyingKey(String id, byte[] secret) {
            addKey("media-verify-keys", id, secret);
            return this;
        }

        private void addKey(String setting, String id, byte[] secret) {
            Objects.requireNonNull(id, setting + " id");
            Objects.requireNonNull(secret, setting + " secret");
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException(setting + ": key id '" + id
                        + "' must be 1..16 characters of A-Z, a-z, 0-9, _ and -");
            }
            if (keys.containsKey(id)) {
                throw new IllegalArgumentException(setting + ": key id '" + id + "' is given twice");
            }
            if (secret.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException(setting + ": key '" + id + "' has " + secret.length
                        + " bytes; use at least " + MIN_KEY_BYTES + " random bytes, e.g. from"
                        + " 'head -c 32 /dev/urandom | base64'");
            }
            keys.put(id, new SecretKeySpec(secret.clone(), ALGORITHM));
        }

        /** {@code media-token-lifetime}: whole seconds, 10 s..1 h, default 120 s. */
        public Builder lifetime(Duration d) {
            once("media-token-lifetime");
            Objects.requireNonNull(d, "media-token-lifetime");
            if (d.compareTo(MIN_LIFETIME) < 0 || d.compareTo(MAX_LIFETIME) > 0 || d.toNanos() % 1_000_000_000L != 0) {
                throw new IllegalArgumentException("media-token-lifetime must be whole seconds from 10s to 1h, was " + d);
            }
            this.lifetime = d;
            return this;
        }

        /** {@code media-token-leeway}: clock difference tolerated, 0..60 s, default 10 s. */
        public Builder leeway(Duration d) {
            once("media-token-leeway");
            Objects.requireNonNull(d, "media-token-leeway");
            if (d.isNegative() || d.compareTo(MAX_LEEWAY) > 0) {
                throw new IllegalArgumentException("media-token-leeway must be 0s..60s, was " + d);
            }
            this.leeway = d;
            return this;
        }

        /** {@code media-bind-method}: whether tokens are bound to the HTTP method, default yes. */
        public Builder bindMethod(boolean bind) {
            once("media-bind-method");
            this.bindMethod = bind;
            return this;
        }

        /** The time source; tests pass a controllable one. */
        public Builder clock(Clock c) {
            once("clock");
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** @throws IllegalArgumentException when no signing key was given */
        public MediaUrlSigner build() {
            if (signingKeyId == null) {
                throw new IllegalArgumentException("media-key is required: id:secret or id:file:/path, e.g. k1:file:"
                        + "/etc/keyhole/media-k1.key");
            }
            // The signing key is listed first; the order only shows in keyIds() and messages.
            Map<String, SecretKeySpec> ordered = new LinkedHashMap<>();
            ordered.put(signingKeyId, keys.get(signingKeyId));
            ordered.putAll(keys);
            keys.clear();
            keys.putAll(ordered);
            return new MediaUrlSigner(this);
        }
    }
}
