package io.keyhole.credential;

import io.keyhole.internal.Logs;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Public keys from a key server ({@code jwt-jwks-url}), kept fresh without a thread of their own:
 * the request that finds the keys due for a refresh fetches them (one request at a time; the
 * others go on with the keys at hand). The keys are refreshed ahead of the lifetime the server
 * gives them ({@code Cache-Control: max-age}); a token naming an unknown {@code kid} causes a
 * refetch at most once per {@link #MIN_REFETCH}; when the server is down or answers garbage, the
 * last good keys stay in use and the fetch is retried after {@link #RETRY}. Thread-safe.
 */
final class JwksKeys {

    /** Keys are considered for a refresh once this share of their lifetime has passed. */
    static final double REFRESH_AT = 0.75;
    /** Lifetime of keys whose answer names none. */
    static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(10);
    /** Bounds of a lifetime the server names. */
    static final Duration MIN_LIFETIME = Duration.ofMinutes(1);
    static final Duration MAX_LIFETIME = Duration.ofDays(1);
    /** Least time between two fetches caused by unknown key ids. */
    static final Duration MIN_REFETCH = Duration.ofSeconds(30);
    /** Wait after a failed fetch before the next try. */
    static final Duration RETRY = Duration.ofSeconds(30);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    /** Largest key set read. */
    static final int MAX_BYTES = 512 * 1024;

    private static final System.Logger LOG = Logs.of(JwksKeys.class);
    private static final Pattern MAX_AGE = Pattern.compile("(?:^|[,\\s])max-age\\s*=\\s*\"?(\\d{1,10})\"?");

    private final URI url;
    private final String defaultAlgorithm;
    private final Clock clock;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile List<VerificationKey> keys = List.of();
    /** When the keys at hand should be refreshed. */
    private volatile Instant refreshAt = Instant.MIN;
    /** When the last fetch started, successful or not. */
    private volatile Instant lastAttempt = Instant.MIN;

    /**
     * Fetches the keys once; a failure is logged, not thrown: tokens are refused until a fetch
     * succeeds.
     */
    JwksKeys(URI url, String defaultAlgorithm, Clock clock) {
        this.url = url;
        this.defaultAlgorithm = defaultAlgorithm;
        this.clock = clock;
        fetch();
    }

    /** The keys at hand, refreshed first when due (unless another request is refreshing them). */
    List<VerificationKey> keys() {
        Instant now = clock.instant();
        if (!now.isBefore(refreshAt) && fetching.tryLock()) {
            try {
                if (!clock.instant().isBefore(refreshAt)) {
                    fetch();
                }
            } finally {
                fetching.unlock();
            }
        }
        return keys;
    }

    /**
     * The keys after a token named a {@code kid} not among them: fetched again unless a fetch
     * started less than {@link #MIN_REFETCH} ago, so that tokens with made-up ids cannot make
     * this host hammer the key server.
     */
    List<VerificationKey> afterUnknownKid() {
        Instant seen = lastAttempt;
        try {
            if (!fetching.tryLock(CONNECT_TIMEOUT.plus(READ_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS)) {
                return keys;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return keys;
        }
        try {
            // Another request may have fetched while this one waited.
            if (lastAttempt.equals(seen) && !clock.instant().isBefore(lastAttempt.plus(MIN_REFETCH))) {
                fetch();
            }
        } finally {
            fetching.unlock();
        }
        return keys;
    }

    private void fetch() {
        Instant start = clock.instant();
        lastAttempt = start;
        try {
            Fetched fetched = download();
            List<String> skipped = new ArrayList<>();
            List<VerificationKey> usable = PublicKeys.fromJwkSet(fetched.set(), defaultAlgorithm, skipped::add);
            for (String s : skipped) {
                LOG.log(Level.WARNING, "jwt-jwks-url {0}: left out {1}", url, s);
            }
            if (usable.isEmpty()) {
                throw new IOException("the key set holds no usable public key");
            }
            keys = List.copyOf(usable);
            long ahead = (long) (fetched.lifetime().toMillis() * REFRESH_AT);
            refreshAt = start.plusMillis(ahead);
        } catch (IOException | ParseException | RuntimeException e) {
            refreshAt = start.plus(RETRY);
            LOG.log(Level.WARNING, "jwt-jwks-url {0}: cannot fetch the keys ({1}); {2}, next try in {3} s", url,
                    e.getMessage(), keys.isEmpty() ? "tokens are refused until a fetch succeeds"
                            : "the last good keys (" + keys.size() + ") stay in use", RETRY.toSeconds());
        }
    }

    private record Fetched(JWKSet set, Duration lifetime) {
    }

    private Fetched download() throws IOException, ParseException {
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
        try {
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
            // A redirect could lead from https to http; the key server's own URL is configured.
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestProperty("Accept", "application/jwk-set+json, application/json");
            // No connection is kept: no keep-alive thread outlives a closed Keyhole.
            connection.setRequestProperty("Connection", "close");
            int status = connection.getResponseCode();
            if (status != 200) {
                throw new IOException("the key server answered " + status);
            }
            byte[] body;
            try (InputStream in = connection.getInputStream()) {
                body = in.readNBytes(MAX_BYTES + 1);
            }
            if (body.length > MAX_BYTES) {
                throw new IOException("the key set is larger than " + MAX_BYTES + " bytes");
            }
            JWKSet set = JWKSet.parse(new String(body, StandardCharsets.UTF_8));
            return new Fetched(set, lifetime(connection.getHeaderField("Cache-Control")));
        } finally {
            connection.disconnect();
        }
    }

    /** The lifetime {@code Cache-Control} gives the keys, within bounds; {@code no-store} and friends count as the least. */
    static Duration lifetime(String cacheControl) {
        if (cacheControl == null) {
            return DEFAULT_LIFETIME;
        }
        String cc = cacheControl.toLowerCase(Locale.ROOT);
        if (cc.contains("no-store") || cc.contains("no-cache")) {
            return MIN_LIFETIME;
        }
        Matcher m = MAX_AGE.matcher(cc);
        if (!m.find()) {
            return DEFAULT_LIFETIME;
        }
        Duration d = Duration.ofSeconds(Long.parseLong(m.group(1)));
        return d.compareTo(MIN_LIFETIME) < 0 ? MIN_LIFETIME : d.compareTo(MAX_LIFETIME) > 0 ? MAX_LIFETIME : d;
    }

    @Override
    public String toString() {
        return "keys from " + url;
    }
}
