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
 *
 * <p>A token for more than one plain file ({@link MediaGrant}: a directory, a not-before moment,
 * a client address) has a fourth part, {@code <key id>.<expiry>.<signature>.<scope>}: the scope is
 * the grant in base64url, and the signature (under another context than the short form's, so the
 * two can never stand in for each other) covers it too.
 *
 * <p>In {@link Format#DJANGO} the signer makes and checks the tokens of Django's
 * {@code TimestampSigner} instead, as Django sites using the crossdomainmedia library do: see
 * {@link Builder#djangoSecret}.
 */
public final class MediaUrlSigner {

    /** How tokens are written. */
    public enum Format {
        /** {@code <key id>.<expiry>.<signature>[.<scope>]}: expiring, per-key, method-bound, grants of directories. */
        KEYHOLE,
        /**
         * {@code <base62 timestamp>:<signature>} of Django's {@code TimestampSigner} over the media URL's
         * path; valid for the max age ({@code media-token-max-age}) after the timestamp.
         */
        DJANGO
    }

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
    private static final int MAX_TOKEN_CHARS_SHORT = 16 + 1 + 12 + 1 + SIGNATURE_CHARS;
    private static final String ALGORITHM = "HmacSHA256";
    /** Domain separation: these signatures can never be mistaken for the same key's other uses. */
    private static final String CONTEXT = "keyhole media url v1";
    /** The context of tokens with a scope part. */
    private static final String SCOPED_CONTEXT = "keyhole media grant v1";
    private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9_-]{1,1400}");
    private static final int MAX_SCOPED_TOKEN_CHARS = MAX_TOKEN_CHARS_SHORT + 1 + 1400;
    private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final String signingKeyId;
    private final Map<String, SecretKeySpec> keys;
    /** Each key's MAC, initialised once; a check works on a clone, which skips the key schedule. */
    private final Map<String, Mac> macs;
    private final Duration lifetime;
    private final Duration leeway;
    private final boolean bindMethod;
    private final Clock clock;
    private final Format format;
    /** The Django secrets' tokens, or {@code null} in the Keyhole format. */
    private final DjangoTokens django;
    /** What precedes a media path in a Django-signed URL path, e.g. {@code /media/}. */
    private final String djangoPrefix;

    private MediaUrlSigner(Builder b) {
        this.format = b.format;
        this.django = b.djangoSecrets.isEmpty() ? null : new DjangoTokens(b.djangoSecrets);
        this.djangoPrefix = b.djangoPrefix;
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
     * method binding is on ({@code HEAD} counts as {@code GET}). In the Django format, a
     * {@code TimestampSigner} token for the media URL's path, made now.
     */
    public String sign(MediaPath path, String method) {
        Objects.requireNonNull(path, "path");
        if (format == Format.DJANGO) {
            return django.sign(DjangoTokens.urlPath(djangoPrefix, path), clock.instant().getEpochSecond());
        }
        return sign(MediaGrant.file(path), method);
    }

    /**
     * A token for what {@code grant} allows, valid for the lifetime from now; bound to
     * {@code method} when method binding is on. A plain one-file grant gives the short form.
     *
     * @throws IllegalStateException in the Django format, whose tokens name one path and no more
     */
    public String sign(MediaGrant grant, String method) {
        Objects.requireNonNull(grant, "grant");
        if (format == Format.DJANGO) {
            if (!grant.plain()) {
                throw new IllegalStateException("Django-format tokens cover one file; directory grants, not-before"
                        + " moments and client addresses need media-token-format=keyhole");
            }
            return sign(grant.path(), method);
        }
        String expiry = Long.toString(clock.instant().getEpochSecond() + lifetime.toSeconds());
        if (grant.plain()) {
            return signingKeyId + '.' + expiry + '.' + signature(signingKeyId, expiry, scope(method), grant.path());
        }
        String scope = BASE64URL.encodeToString(scopeText(grant).getBytes(StandardCharsets.UTF_8));
        return signingKeyId + '.' + expiry + '.' + scopedSignature(signingKeyId, expiry, scope(method), scope)
                + '.' + scope;
    }

    /**
     * The grant a well-formed token carries, unchecked: for a token {@link #check} found valid,
     * what it allows. {@code null} for a malformed token.
     */
    public MediaGrant grantOf(String token, MediaPath path) {
        if (format == Format.DJANGO || token == null) {
            return token == null ? null : MediaGrant.file(path);
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length == 3) {
            return MediaGrant.file(path);
        }
        return parts.length == 4 && SCOPE.matcher(parts[3]).matches() ? parseScope(parts[3]) : null;
    }

    /**
     * Checks {@code token} for a request of {@code method} on {@code path} from an unknown
     * client address: a token bound to an address is refused.
     *
     * @param token the {@code token} query parameter's value, or {@code null} when absent
     */
    public TokenCheck check(String token, MediaPath path, String method) {
        return check(token, path, method, null);
    }

    /**
     * Checks {@code token} for a request of {@code method} on {@code path} from
     * {@code clientAddress}. The signature is compared in constant time, and before anything
     * else in the token is trusted.
     *
     * @param token         the token, or {@code null} when absent
     * @param clientAddress the request's client address as the container reports it, or {@code null}
     */
    public TokenCheck check(String token, MediaPath path, String method, String clientAddress) {
        Objects.requireNonNull(path, "path");
        // An empty token is a bad one to Django's view, and no token to Keyhole's.
        if (token == null || token.isEmpty() && format == Format.KEYHOLE) {
            return new TokenCheck.Missing();
        }
        if (format == Format.DJANGO) {
            return checkDjango(token, path);
        }
        if (token.length() > MAX_SCOPED_TOKEN_CHARS) {
            return new TokenCheck.Invalid("malformed token: longer than " + MAX_SCOPED_TOKEN_CHARS + " characters");
        }
        String[] parts = token.split("\\.", -1);
        boolean scoped = parts.length == 4;
        if (parts.length != 3 && !scoped || !KEY_ID.matcher(parts[0]).matches() || !EXPIRY.matcher(parts[1]).matches()
                || !SIGNATURE.matcher(parts[2]).matches() || scoped && !SCOPE.matcher(parts[3]).matches()) {
            return new TokenCheck.Invalid("malformed token: expected <key id>.<expiry>.<22-character signature>"
                    + "[.<scope>]");
        }
        if (!keys.containsKey(parts[0])) {
            return new TokenCheck.Invalid("unknown key id '" + parts[0] + "' (known: " + String.join(", ", keys.keySet())
                    + ")");
        }
        String expected = scoped ? scopedSignature(parts[0], parts[1], scope(method), parts[3])
                : signature(parts[0], parts[1], scope(method), path);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return new TokenCheck.Invalid("signature does not match: tampered, or made for another path"
                    + (bindMethod ? " or method" : "") + " or with another key of the same id");
        }
        Instant now = clock.instant();
        if (scoped) {
            MediaGrant grant = parseScope(parts[3]);
            if (grant == null) {
                return new TokenCheck.Invalid("the signed scope cannot be read");
            }
            if (!grant.covers(path)) {
                return new TokenCheck.Invalid("the token is for " + (grant.directory() ? "the files below " : "")
                        + grant.path() + ", not for this path");
            }
            if (grant.notBefore() != null && now.isBefore(grant.notBefore().minus(leeway))) {
                return new TokenCheck.Invalid("the token is not valid before " + grant.notBefore());
            }
            if (grant.clientAddress() != null
                    && !grant.clientAddress().equals(MediaGrant.canonicalAddress(clientAddress))) {
                return new TokenCheck.Invalid("the token is bound to another client address");
            }
        }
        return timed(parts[0], Instant.ofEpochSecond(Long.parseLong(parts[1])), now);
    }

    private TokenCheck timed(String keyId, Instant expires, Instant now) {
        if (now.isAfter(expires.plus(leeway))) {
            return new TokenCheck.Expired(expires, Duration.between(expires, now));
        }
        Instant latest = now.plus(lifetime).plus(leeway);
        if (expires.isAfter(latest)) {
            return new TokenCheck.AheadOfClock(expires, Duration.between(latest, expires));
        }
        return new TokenCheck.Valid(keyId, expires);
    }

    /**
     * As the crossdomainmedia view does: a bad signature is refused, an old token sent for renewal.
     * Django itself accepts timestamps from the future; here one beyond the leeway counts as made
     * by a clock running ahead.
     */
    private TokenCheck checkDjango(String token, MediaPath path) {
        if (token.length() > 64) {
            return new TokenCheck.Invalid("malformed token: longer than 64 characters");
        }
        long signedAt = django.verify(token, DjangoTokens.urlPath(djangoPrefix, path));
        if (signedAt < 0) {
            return new TokenCheck.Invalid("not a Django token signed for this path with django-secret-key or one"
                    + " of its fallbacks");
        }
        return timed("django", Instant.ofEpochSecond(signedAt).plus(lifetime), clock.instant());
    }

    /** The signed text of a scope: kind, path, not-before and address, one per line. */
    private static String scopeText(MediaGrant grant) {
        return (grant.directory() ? "d" : "f") + '\n' + grant.path().value() + '\n'
                + (grant.notBefore() == null ? "" : Long.toString(grant.notBefore().getEpochSecond())) + '\n'
                + (grant.clientAddress() == null ? "" : grant.clientAddress());
    }

    private static MediaGrant parseScope(String scope) {
        try {
            String text = new String(BASE64URL_DECODER.decode(scope), StandardCharsets.UTF_8);
            String[] f = text.split("\n", -1);
            if (f.length != 4 || !f[0].equals("d") && !f[0].equals("f") || !MediaPath.isValid(f[1])
                    || !f[2].isEmpty() && !EXPIRY.matcher(f[2]).matches()) {
                return null;
            }
            return new MediaGrant(MediaPath.of(f[1]), f[0].equals("d"),
                    f[2].isEmpty() ? null : Instant.ofEpochSecond(Long.parseLong(f[2])), f[3].isEmpty() ? null : f[3]);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** How tokens are written. */
    public Format format() {
        return format;
    }

    /** In the Django format, what precedes a media path in the URL paths signed, e.g. {@code /media/}. */
    public String djangoUrlPrefix() {
        return djangoPrefix;
    }

    /** The id of the key that signs. */
    public String signingKeyId() {
        return signingKeyId;
    }

    /** Every key id that verifies, the signing key's first; in the Django format {@code django} and the fallbacks'. */
    public List<String> keyIds() {
        if (format == Format.DJANGO) {
            List<String> ids = new ArrayList<>();
            ids.add("django");
            for (int i = 1; i < django.size(); i++) {
                ids.add("django-fallback-" + i);
            }
            return List.copyOf(ids);
        }
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
        if (format == Format.DJANGO) {
            return "MediaUrlSigner[django, " + keyIds().size() + " secrets, max age " + lifetime.toSeconds()
                    + " s, leeway " + leeway.toSeconds() + " s]";
        }
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
        return mac(keyId, CONTEXT + '\n' + keyId + '\n' + expiry + '\n' + scope + '\n' + path.value());
    }

    private String scopedSignature(String keyId, String expiry, String method, String scope) {
        return mac(keyId, SCOPED_CONTEXT + '\n' + keyId + '\n' + expiry + '\n' + method + '\n' + scope);
    }

    /** The signature of {@code input} under key {@code keyId}, from a copy of its pre-keyed MAC. */
    private String mac(String keyId, String input) {
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
        private Format format = Format.KEYHOLE;
        private final List<byte[]> djangoSecrets = new ArrayList<>();
        private String djangoPrefix = "/media/";

        private Builder() {
        }

        /** {@code media-token-format}: {@code keyhole} (default) or {@code django}. */
        public Builder format(Format f) {
            once("media-token-format");
            this.format = Objects.requireNonNull(f, "media-token-format");
            return this;
        }

        /**
         * {@code django-secret-key}: the Django site's {@code SECRET_KEY}, which signs and verifies
         * Django-format tokens.
         *
         * @param secret the key's text as UTF-8 bytes; copied
         */
        public Builder djangoSecret(byte[] secret) {
            once("django-secret-key");
            Objects.requireNonNull(secret, "django-secret-key");
            if (secret.length == 0) {
                throw new IllegalArgumentException("django-secret-key must not be empty");
            }
            djangoSecrets.add(0, secret.clone());
            return this;
        }

        /** {@code django-secret-key-fallbacks}: a former {@code SECRET_KEY} that still verifies ({@code SECRET_KEY_FALLBACKS}). */
        public Builder djangoFallback(byte[] secret) {
            Objects.requireNonNull(secret, "django-secret-key-fallbacks");
            if (secret.length == 0) {
                throw new IllegalArgumentException("django-secret-key-fallbacks must not contain an empty key");
            }
            djangoSecrets.add(secret.clone());
            made.add("django-secret-key-fallbacks");
            return this;
        }

        /**
         * What precedes a media path in the URL paths Django signs: the path of {@code media-url},
         * e.g. {@code /media/} (the default).
         */
        public Builder djangoUrlPrefix(String prefix) {
            once("django-url-prefix");
            this.djangoPrefix = Objects.requireNonNull(prefix, "django-url-prefix");
            if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
                throw new IllegalArgumentException("the Django URL prefix must start and end with /, was " + prefix);
            }
            return this;
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

        /** @throws IllegalArgumentException when no signing key was given, or keys of the other format */
        public MediaUrlSigner build() {
            if (format == Format.DJANGO) {
                if (!made.contains("django-secret-key")) {
                    throw new IllegalArgumentException("media-token-format=django needs django-secret-key: the Django"
                            + " site's SECRET_KEY, inline, file:/path or env:NAME");
                }
                if (!keys.isEmpty()) {
                    throw new IllegalArgumentException("media-token-format=django signs with django-secret-key; drop"
                            + " media-key and media-verify-keys");
                }
                signingKeyId = "django";
                return new MediaUrlSigner(this);
            }
            if (!djangoSecrets.isEmpty()) {
                throw new IllegalArgumentException("django-secret-key and django-secret-key-fallbacks need"
                        + " media-token-format=django");
            }
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
