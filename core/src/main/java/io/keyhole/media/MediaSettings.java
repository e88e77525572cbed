package io.keyhole.media;

import io.keyhole.ConfigKey;
import io.keyhole.Delivery;
import io.keyhole.http.QueryString;
import io.keyhole.internal.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Cross-domain media: media served from a host that never sees the application's session. A
 * media URL carries an expiring token; without a valid one the media host sends the browser to
 * the application ({@code site-url} + the same path), which checks the session and sends it back
 * with a fresh token, or answers 403. The same settings serve both sides: the media host
 * ({@code KeyholeFilter} in media mode) and the application's media endpoint.
 *
 * <p>When {@code media-url} is a path ({@code /media/}) rather than an absolute URL, this is
 * development mode: the application serves media itself, after its own permission check, and no
 * token is needed.
 *
 * @param siteUrl             the application's base URL, e.g. {@code https://www.example.com}, no
 *                            trailing {@code /}; {@code null} in development mode
 * @param mediaUrl            {@code https://media.example.org/media/}, or {@code /media/} in development
 * @param mediaPrefix         the path part of {@code mediaUrl}, e.g. {@code /media/}
 * @param root                where the files are ({@code media-root}); {@code null} on an application
 *                            that never serves them itself
 * @param internalMediaPrefix the front server's internal location for X-Accel-Redirect, e.g.
 *                            {@code /protected/}, or {@code null}
 * @param signer              makes and checks tokens; {@code null} in development mode without keys
 * @param publicPaths         media paths (or directory prefixes ending in {@code /}) served
 *                            without a token
 * @param cookieName          the cookie that carries directory tokens ({@code media-cookie}), or
 *                            {@code null}: tokens travel in URLs only
 */
public record MediaSettings(URI siteUrl, String mediaUrl, String mediaPrefix, MediaRoot root,
                            String internalMediaPrefix, MediaUrlSigner signer, List<String> publicPaths,
                            String cookieName) {

    /** The query parameter that carries the token, as in the original library. */
    public static final String TOKEN_PARAMETER = "token";

    /**
     * The query parameter with which the media host marks a trip to the application: its own
     * clock's time, in Unix seconds. The application hands it back unchanged, so a browser that
     * returns at once and still needs a token is in a loop.
     */
    public static final String BOUNCED_PARAMETER = "bounced";

    /** Longest a round trip to the application may take and still count as the same one. */
    public static final Duration MAX_ROUND_TRIP = Duration.ofSeconds(30);

    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,12}");

    public MediaSettings {
        Objects.requireNonNull(mediaUrl, "mediaUrl");
        Objects.requireNonNull(mediaPrefix, "mediaPrefix");
        publicPaths = List.copyOf(publicPaths);
    }

    /** Settings without a media cookie. */
    public MediaSettings(URI siteUrl, String mediaUrl, String mediaPrefix, MediaRoot root, String internalMediaPrefix,
                         MediaUrlSigner signer, List<String> publicPaths) {
        this(siteUrl, mediaUrl, mediaPrefix, root, internalMediaPrefix, signer, publicPaths, null);
    }

    /** A builder; {@code media-url} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings from text keys ({@link Builder#KEYS}).
     *
     * @throws IllegalArgumentException naming the first bad or unknown key
     */
    public static MediaSettings fromProperties(Map<String, String> properties) {
        return builder().properties(properties).build();
    }

    /** Whether media come from the application itself ({@code media-url} is a path). */
    public boolean development() {
        return mediaUrl.startsWith("/");
    }

    /** Whether {@code path} is served without a token. */
    public boolean isPublic(MediaPath path) {
        for (String prefix : publicPaths) {
            if (path.isUnder(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The media URL without a token, e.g. {@code https://media.example.org/media/docs/a.pdf}. */
    public String mediaUrl(MediaPath path) {
        return mediaUrl + path.urlPath();
    }

    /**
     * The media URL, with a fresh token when {@code authorized} and tokens are in use (not in
     * development mode). Only call it with {@code authorized} for a user allowed to see the file.
     */
    public String fullMediaUrl(MediaPath path, boolean authorized) {
        String bare = mediaUrl(path);
        if (!authorized || development()) {
            return bare;
        }
        return bare + '?' + TOKEN_PARAMETER + '=' + signer.sign(path);
    }

    /**
     * The media URL of {@code file} with a token for {@code grant} (e.g. a directory grant for the
     * playlist of a video stream, whose segments then need no token of their own when
     * {@code media-cookie} is set). Only call it for a user allowed to see all that the grant covers.
     *
     * @throws IllegalArgumentException when {@code grant} does not cover {@code file}
     * @throws IllegalStateException    in development mode, which uses no tokens
     */
    public String signedUrl(MediaPath file, MediaGrant grant) {
        if (development()) {
            throw new IllegalStateException("development mode (media-url " + mediaUrl + ") uses no tokens");
        }
        if (!grant.covers(file)) {
            throw new IllegalArgumentException("the grant for " + grant.path() + " does not cover " + file);
        }
        return mediaUrl(file) + '?' + TOKEN_PARAMETER + '=' + signer.sign(grant, "GET");
    }

    /**
     * The {@code Set-Cookie} value that carries a directory token to the files below its
     * directory: host-only (no {@code Domain}), so only the media host receives it;
     * {@code Path} the directory's URL path, so no sibling directory does; {@code HttpOnly};
     * {@code Max-Age} what remains of the token's life; {@code Secure} and {@code SameSite=None}
     * (players on the application's site may fetch segments) when the media URL is https,
     * {@code SameSite=Lax} otherwise.
     *
     * @param token   a token for {@code grant}, e.g. from {@link #signedUrl}
     * @param grant   a directory grant
     * @param expires when the token expires
     * @param now     the current time
     * @return the header value, or {@code null} when there is no media cookie, the grant is no
     *         directory, or the token has expired
     */
    public String setCookie(String token, MediaGrant grant, Instant expires, Instant now) {
        if (cookieName == null || !grant.directory()) {
            return null;
        }
        long maxAge = Duration.between(now, expires).getSeconds();
        if (maxAge <= 0) {
            return null;
        }
        boolean https = mediaUrl.startsWith("https:");
        return cookieName + '=' + token + "; Path=" + mediaPrefix + grant.path().urlPath() + "/; Max-Age=" + maxAge
                + "; HttpOnly" + (https ? "; Secure; SameSite=None" : "; SameSite=Lax");
    }

    /**
     * Where the media host sends a browser that needs a token: the application's URL with the same
     * path, e.g. {@code https://www.example.com/media/docs/a.pdf}.
     *
     * @throws IllegalStateException in development mode, which has no separate media host
     */
    public String authUrl(MediaPath path) {
        if (development()) {
            throw new IllegalStateException("development mode (media-url " + mediaUrl + ") has no media host to"
                    + " send browsers back from");
        }
        if (signer != null && signer.format() == MediaUrlSigner.Format.DJANGO) {
            // the URL the Django view redirects to, and the path its tokens sign
            return siteUrl + DjangoTokens.urlPath(mediaPrefix, path);
        }
        return siteUrl + mediaPrefix + path.urlPath();
    }

    /**
     * The application's answer on its media endpoint (step 3 of the flow), decided before any
     * response is written:
     * <ul>
     *   <li>development mode: public or permitted → serve the file right here; otherwise 403;</li>
     *   <li>public → 302 to the media URL without a token;</li>
     *   <li>permitted → 302 to the media URL with a fresh token;</li>
     *   <li>otherwise 403.</li>
     * </ul>
     * The media host's {@value #BOUNCED_PARAMETER} mark is handed back in the redirect.
     *
     * @param isPublic  whether the media needs no authorisation at all
     * @param permitted asked only when not public: may the session's user see it?
     * @param rawQuery  the request's query string, or {@code null}
     * @param serveHere in development mode, the file itself (e.g. {@code Keyhole#deliverMedia})
     */
    public Delivery answer(MediaPath path, boolean isPublic, BooleanSupplier permitted, String rawQuery,
                           Function<MediaPath, Delivery> serveHere) {
        boolean allowed = isPublic || permitted.getAsBoolean();
        if (!allowed) {
            return Delivery.reply(403, "forbidden");
        }
        if (development()) {
            return serveHere.apply(path);
        }
        String url = fullMediaUrl(path, !isPublic);
        List<String> bounced = QueryString.values(rawQuery, BOUNCED_PARAMETER);
        if (bounced.size() == 1 && SECONDS.matcher(bounced.get(0)).matches()) {
            url += (url.indexOf('?') < 0 ? '?' : '&') + BOUNCED_PARAMETER + '=' + bounced.get(0);
        }
        return Delivery.redirect(url);
    }

    /**
     * The media host's own time of the trip to the application this request returns from, when
     * it carries exactly one well-formed mark.
     */
    public static Instant bouncedAt(String rawQuery) {
        List<String> bounced = QueryString.values(rawQuery, BOUNCED_PARAMETER);
        if (bounced.size() != 1 || !SECONDS.matcher(bounced.get(0)).matches()) {
            return null;
        }
        return Instant.ofEpochSecond(Long.parseLong(bounced.get(0)));
    }

    /**
     * How soon after a trip to the application a browser that still has no valid token counts as
     * looping: {@link #MAX_ROUND_TRIP}, or the token lifetime when shorter, so that a token that
     * simply expired after its full lifetime is always renewed.
     */
    public Duration loopWindow() {
        Duration lifetime = signer == null ? MAX_ROUND_TRIP : signer.lifetime();
        return lifetime.compareTo(MAX_ROUND_TRIP) < 0 ? lifetime : MAX_ROUND_TRIP;
    }

    /**
     * Builds {@link MediaSettings}. Each setting may be made once; bad values are refused with a
     * message naming the key.
     */
    public static final class Builder {

        /** Every text key {@link #properties(Map)} understands: the media keys of {@link ConfigKey}. */
        public static final Set<String> KEYS = ConfigKey.mediaNames();

        private final Set<String> made = new HashSet<>();
        private String siteUrl;
        private String mediaUrl;
        private Path mediaRoot;
        private String internalMediaPrefix;
        private MediaUrlSigner signer;
        private List<String> publicPaths = List.of();
        private Clock clock;
        /**
         * The signer described by {@link #signingKey}, {@link #verifyingKey}, {@link #tokenLifetime},
         * {@link #tokenLeeway} and {@link #bindMethod}; built last, so that {@link #clock} may come
         * before or after.
         */
        private MediaUrlSigner.Builder textSigner;
        private String cookieName;
        private MediaUrlSigner.Format format = MediaUrlSigner.Format.KEYHOLE;

        private Builder() {
        }

        private void once(String key) {
            if (!made.add(key)) {
                throw new IllegalStateException("'" + key + "' was already set");
            }
        }

        /** {@code site-url}: the application's base URL, e.g. {@code https://www.example.com}. */
        public Builder siteUrl(String url) {
            once("site-url");
            this.siteUrl = Objects.requireNonNull(url, "site-url").trim();
            return this;
        }

        /**
         * {@code media-url}: the media host's base URL, e.g. {@code https://media.example.org/media/};
         * a path such as {@code /media/} means development mode.
         */
        public Builder mediaUrl(String url) {
            once("media-url");
            this.mediaUrl = Objects.requireNonNull(url, "media-url").trim();
            return this;
        }

        /** {@code media-root}: the directory media paths are relative to. */
        public Builder mediaRoot(Path root) {
            once("media-root");
            this.mediaRoot = Objects.requireNonNull(root, "media-root");
            return this;
        }

        /** {@code internal-media-prefix}: the front server's internal location, e.g. {@code /protected/}. */
        public Builder internalMediaPrefix(String prefix) {
            once("internal-media-prefix");
            this.internalMediaPrefix = Settings.pathPrefix("internal-media-prefix", prefix);
            return this;
        }

        /**
         * The token signer, built in code; instead of {@link #signingKey} and the other token
         * settings of this builder.
         */
        public Builder signer(MediaUrlSigner s) {
            once("signer");
            this.signer = Objects.requireNonNull(s, "signer");
            return this;
        }

        /** {@code media-public-paths}: media paths, or directories ending in {@code /}, served without a token. */
        public Builder publicPaths(List<String> paths) {
            once("media-public-paths");
            List<String> out = new ArrayList<>();
            for (String p : paths) {
                String prefix = p.trim();
                String path = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
                if (!MediaPath.isValid(path)) {
                    throw new IllegalArgumentException("media-public-paths: '" + prefix
                            + "' is not a media path (relative to media-root, e.g. public/ or logo.png)");
                }
                out.add(prefix);
            }
            this.publicPaths = List.copyOf(out);
            return this;
        }

        /**
         * {@code media-key}: the key that signs tokens (and verifies them).
         *
         * @param id     1..16 characters of {@code A-Z a-z 0-9 _ -}; goes into every token
         * @param secret at least {@value MediaUrlSigner#MIN_KEY_BYTES} bytes; copied
         */
        public Builder signingKey(String id, byte[] secret) {
            made.add("media-key");
            signerSettings().signingKey(id, secret);
            return this;
        }

        /**
         * {@code media-verify-keys}: a further key that only verifies, e.g. the one that signed
         * until a rotation. Call it once for each such key.
         */
        public Builder verifyingKey(String id, byte[] secret) {
            made.add("media-verify-keys");
            signerSettings().verifyingKey(id, secret);
            return this;
        }

        /** {@code media-token-lifetime}: how long a new token is valid, whole seconds, 10 s..1 h, default 120 s. */
        public Builder tokenLifetime(Duration lifetime) {
            notBoth("media-token-lifetime", "media-token-max-age");
            signerSettings().lifetime(lifetime);
            return this;
        }

        /** {@code media-token-leeway}: the clock difference tolerated between the hosts, 0..60 s, default 10 s. */
        public Builder tokenLeeway(Duration leeway) {
            made.add("media-token-leeway");
            signerSettings().leeway(leeway);
            return this;
        }

        /** {@code media-bind-method}: whether a token is bound to the HTTP method it was made for, default yes. */
        public Builder bindMethod(boolean bind) {
            made.add("media-bind-method");
            signerSettings().bindMethod(bind);
            return this;
        }

        /** {@code media-token-format}: {@code keyhole} (default) or {@code django}, Django's {@code TimestampSigner} tokens. */
        public Builder tokenFormat(MediaUrlSigner.Format format) {
            made.add("media-token-format");
            signerSettings().format(format);
            this.format = format;
            return this;
        }

        /** {@code django-secret-key}: the Django site's {@code SECRET_KEY}, for {@code media-token-format=django}. */
        public Builder djangoSecretKey(byte[] secret) {
            made.add("django-secret-key");
            signerSettings().djangoSecret(secret);
            return this;
        }

        /** {@code django-secret-key-fallbacks}: a former {@code SECRET_KEY} that still verifies; once per key. */
        public Builder djangoSecretKeyFallback(byte[] secret) {
            made.add("django-secret-key-fallbacks");
            signerSettings().djangoFallback(secret);
            return this;
        }

        /** {@code media-token-max-age}: how long after its timestamp a Django-format token is accepted, default 120 s. */
        public Builder tokenMaxAge(Duration maxAge) {
            notBoth("media-token-max-age", "media-token-lifetime");
            signerSettings().lifetime(maxAge);
            return this;
        }

        /**
         * {@code media-cookie}: the name of the cookie in which the media host keeps a directory
         * token it received in a URL, so the files below the directory need no token in their URLs.
         */
        public Builder cookie(String name) {
            once("media-cookie");
            this.cookieName = Settings.token("media-cookie", name);
            return this;
        }

        /**
         * {@code media-token-lifetime} and {@code media-token-max-age} set the same limit, one for
         * each token format; giving both is refused here, naming them, rather than deep in the signer.
         */
        private void notBoth(String key, String other) {
            if (made.contains(other)) {
                throw new IllegalArgumentException(key + " and " + other + " are the same limit for the two token"
                        + " formats; give only media-token-lifetime (media-token-format=keyhole) or media-token-max-age"
                        + " (media-token-format=django)");
            }
            made.add(key);
        }

        private MediaUrlSigner.Builder signerSettings() {
            if (textSigner == null) {
                textSigner = MediaUrlSigner.builder();
            }
            return textSigner;
        }

        /** The clock for a signer built from this builder's token settings. */
        public Builder clock(Clock c) {
            once("clock");
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /**
         * Applies text settings, key by key in the order of {@link ConfigKey}. Unknown keys are
         * refused; blank values count as unset. Secrets may be inline or {@code file:/path}; a key
         * reads {@code id:secret}.
         */
        public Builder properties(Map<String, String> properties) {
            Map<String, String> p = Settings.known(properties, KEYS, "media setting");
            for (ConfigKey key : ConfigKey.values()) {
                String v = p.get(key.key());
                if (v != null) {
                    key.apply(this, v);
                }
            }
            return this;
        }

        /**
         * Checks the settings together.
         *
         * @throws IllegalArgumentException naming what is missing or inconsistent
         */
        public MediaSettings build() {
            if (mediaUrl == null) {
                throw new IllegalArgumentException("media-url is required: the media host's base URL, e.g."
                        + " https://media.example.org/media/ (or /media/ for development, served by the application)");
            }
            if (textSigner != null) {
                boolean django = format == MediaUrlSigner.Format.DJANGO;
                if (made.contains("media-token-max-age") && !django) {
                    throw new IllegalArgumentException("media-token-max-age is for media-token-format=django; Keyhole's"
                            + " own tokens take media-token-lifetime");
                }
                if (made.contains("media-token-lifetime") && django) {
                    throw new IllegalArgumentException("media-token-lifetime is for Keyhole's own tokens; Django-format"
                            + " tokens take media-token-max-age");
                }
                if (!made.contains("media-key") && !made.contains("media-verify-keys") && !django) {
                    for (String key : List.of("media-token-lifetime", "media-token-leeway", "media-bind-method")) {
                        if (made.contains(key)) {
                            throw new IllegalArgumentException(key + " needs media-key");
                        }
                    }
                }
                if (signer != null) {
                    throw new IllegalArgumentException("a signer was given in code; drop media-key and media-verify-keys");
                }
                if (clock != null) {
                    textSigner.clock(clock);
                }
                if (django) {
                    textSigner.djangoUrlPrefix(mediaUrl.startsWith("/") ? Settings.pathPrefix("media-url", mediaUrl)
                            : Settings.pathPrefix("media-url", pathOf(absolute("media-url", mediaUrl))));
                }
                signer = textSigner.build();
                textSigner = null;
            } else if (clock != null && signer != null) {
                throw new IllegalArgumentException("the signer given in code has its own clock; do not set one here");
            }
            if (cookieName != null && (signer == null || signer.format() != MediaUrlSigner.Format.KEYHOLE)) {
                throw new IllegalArgumentException("media-cookie carries directory tokens, which only Keyhole's own"
                        + " token format has (media-key)");
            }
            if (mediaUrl.startsWith("/")) {
                String prefix = Settings.pathPrefix("media-url", mediaUrl);
                URI site = siteUrl == null ? null : site(siteUrl);
                return new MediaSettings(site, prefix, prefix, root(), internalMediaPrefix, signer, publicPaths, cookieName);
            }
            URI media = absolute("media-url", mediaUrl);
            String prefix = Settings.pathPrefix("media-url", pathOf(media));
            String base = media.getScheme().toLowerCase(Locale.ROOT) + "://" + media.getRawAuthority() + prefix;
            if (siteUrl == null) {
                throw new IllegalArgumentException("site-url is required with an absolute media-url: where the media"
                        + " host sends browsers for a fresh token, e.g. https://www.example.com");
            }
            URI site = site(siteUrl);
            if (site.getHost().equalsIgnoreCase(media.getHost())) {
                throw new IllegalArgumentException("media-url must name another host than site-url (both are "
                        + media.getHost() + "): browsers send the session cookie to every port of its host, and a"
                        + " media host must never receive it");
            }
            if (signer == null) {
                throw new IllegalArgumentException("media-key is required with an absolute media-url: tokens are how"
                        + " the media host knows that the application allowed a request");
            }
            if (signer.format() == MediaUrlSigner.Format.DJANGO && !prefix.equals(signer.djangoUrlPrefix())) {
                throw new IllegalArgumentException("the signer given in code signs Django URL paths below "
                        + signer.djangoUrlPrefix() + ", but media-url's path is " + prefix);
            }
            return new MediaSettings(site, base, prefix, root(), internalMediaPrefix, signer, publicPaths, cookieName);
        }

        private static String pathOf(URI media) {
            return media.getRawPath().isEmpty() ? "/" : media.getRawPath();
        }

        private MediaRoot root() {
            return mediaRoot == null ? null : new MediaRoot(mediaRoot);
        }

        private static URI site(String text) {
            URI site = absolute("site-url", text);
            String path = site.getRawPath();
            if (!path.isEmpty() && !path.equals("/")) {
                Settings.pathPrefix("site-url", path);
            }
            String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            return URI.create(site.getScheme().toLowerCase(Locale.ROOT) + "://" + site.getRawAuthority() + trimmed);
        }

        private static URI absolute(String key, String text) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(key + " is not a URL: " + e.getMessage());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getRawUserInfo() != null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException(key + " must be an http or https URL with a host and no user, query"
                        + " or fragment, such as https://media.example.org/media/; was '" + text + "'");
            }
            return uri;
        }
    }
}
