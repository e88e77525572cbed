package io.keyhole.media;

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
 */
public record MediaSettings(URI siteUrl, String mediaUrl, String mediaPrefix, MediaRoot root,
                            String internalMediaPrefix, MediaUrlSigner signer, List<String> publicPaths) {

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

        /** Every text key {@link #properties(Map)} understands. */
        public static final Set<String> KEYS = Set.of(
                "site-url", "media-url", "media-root", "internal-media-prefix", "media-key", "media-verify-keys",
                "media-token-lifetime", "media-token-leeway", "media-bind-method", "media-public-paths");

        private final Set<String> made = new HashSet<>();
        private String siteUrl;
        private String mediaUrl;
        private Path mediaRoot;
        private String internalMediaPrefix;
        private MediaUrlSigner signer;
        private List<String> publicPaths = List.of();
        private Clock clock;
        /** The signer described by text keys; built last, so that {@link #clock} may come before or after. */
        private MediaUrlSigner.Builder textSigner;

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

        /** The token signer, built in code (text: {@code media-key}, {@code media-verify-keys}, {@code media-token-*}). */
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

        /** The clock for a signer built from text keys. */
        public Builder clock(Clock c) {
            once("clock");
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /**
         * Applies text settings. Unknown keys are refused; blank values count as unset. Secrets
         * may be inline or {@code file:/path}; a key reads {@code id:secret}.
         */
        public Builder properties(Map<String, String> properties) {
            Map<String, String> p = Settings.known(properties, KEYS, "media setting");
            String v;
            if ((v = p.get("site-url")) != null) siteUrl(v);
            if ((v = p.get("media-url")) != null) mediaUrl(v);
            if ((v = p.get("media-root")) != null) mediaRoot(Path.of(v));
            if ((v = p.get("internal-media-prefix")) != null) internalMediaPrefix(v);
            if ((v = p.get("media-public-paths")) != null) publicPaths(List.of(v.split("\\s*,\\s*")));
            if (p.containsKey("media-key") || p.containsKey("media-verify-keys")) {
                MediaUrlSigner.Builder s = MediaUrlSigner.builder();
                if ((v = p.get("media-key")) != null) {
                    String[] key = keySpec("media-key", v);
                    s.signingKey(key[0], Settings.secret("media-key", key[1]));
                }
                if ((v = p.get("media-verify-keys")) != null) {
                    for (String one : v.split("\\s*,\\s*")) {
                        String[] key = keySpec("media-verify-keys", one);
                        s.verifyingKey(key[0], Settings.secret("media-verify-keys", key[1]));
                    }
                }
                if ((v = p.get("media-token-lifetime")) != null) {
                    s.lifetime(Settings.duration("media-token-lifetime", v));
                }
                if ((v = p.get("media-token-leeway")) != null) {
                    s.leeway(Settings.duration("media-token-leeway", v));
                }
                if ((v = p.get("media-bind-method")) != null) {
                    s.bindMethod(Settings.yesNo("media-bind-method", v));
                }
                textSigner = s;
            } else {
                for (String key : List.of("media-token-lifetime", "media-token-leeway", "media-bind-method")) {
                    if (p.containsKey(key)) {
                        throw new IllegalArgumentException(key + " needs media-key");
                    }
                }
            }
            return this;
        }

        /** {@code id:secret} or {@code id:file:/path}. */
        private static String[] keySpec(String key, String value) {
            int colon = value.indexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new IllegalArgumentException(key + " must read id:secret or id:file:/path, e.g. k1:file:"
                        + "/etc/keyhole/media-k1.key");
            }
            return new String[] {value.substring(0, colon), value.substring(colon + 1)};
        }

        /**
         * Checks the settings together.
         *
         * @throws IllegalArgumentException naming what is missing or inconsistent
         */
        public MediaSettings build() {
            if (textSigner != null) {
                if (signer != null) {
                    throw new IllegalArgumentException("a signer was given in code; drop media-key and media-verify-keys");
                }
                if (clock != null) {
                    textSigner.clock(clock);
                }
                signer = textSigner.build();
                textSigner = null;
            } else if (clock != null && signer != null) {
                throw new IllegalArgumentException("the signer given in code has its own clock; do not set one here");
            }
            if (mediaUrl == null) {
                throw new IllegalArgumentException("media-url is required: the media host's base URL, e.g."
                        + " https://media.example.org/media/ (or /media/ for development, served by the application)");
            }
            if (mediaUrl.startsWith("/")) {
                String prefix = Settings.pathPrefix("media-url", mediaUrl);
                URI site = siteUrl == null ? null : site(siteUrl);
                return new MediaSettings(site, prefix, prefix, root(), internalMediaPrefix, signer, publicPaths);
            }
            URI media = absolute("media-url", mediaUrl);
            String prefix = Settings.pathPrefix("media-url", media.getRawPath().isEmpty() ? "/" : media.getRawPath());
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
            return new MediaSettings(site, base, prefix, root(), internalMediaPrefix, signer, publicPaths);
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
