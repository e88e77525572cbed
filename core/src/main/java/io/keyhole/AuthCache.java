package io.keyhole;

import java.time.Duration;
import java.util.Objects;

/**
 * How long this instance remembers the backend's decisions ({@code auth-cache-ttl},
 * {@code auth-cache-negative-ttl}, {@code auth-cache-size}): a value. Off by default, as the
 * nginx module asks the backend on every request.
 *
 * <p>A decision is remembered per (auth value, file id, operation) and per forwarded header and
 * cookie, never for a token alone nor across auth values. Only downloads are remembered: an
 * upload or delete always asks, and an upload or delete of an id through this instance, as
 * {@link Keyhole#revoke} and {@link Keyhole#revokeSubject}, forgets what was remembered for it.
 * Another instance does not hear of those: it may keep serving a grant it remembered for at most
 * {@code ttl}.
 *
 * @param ttl         how long a grant is remembered; zero remembers none
 * @param negativeTtl how long a 403 or 404 is remembered; zero remembers none. A failure to get an
 *                    answer (502, 503, 504) and every other status is never remembered
 * @param size        most decisions remembered at once
 */
public record AuthCache(Duration ttl, Duration negativeTtl, int size) {

    /** Most decisions remembered when {@code auth-cache-size} is not set. */
    public static final int DEFAULT_SIZE = 10_000;
    /** Largest {@code auth-cache-size}. */
    public static final int MAX_SIZE = 10_000_000;
    /** Remembers nothing: every request asks the backend. */
    public static final AuthCache OFF = new AuthCache(Duration.ZERO, Duration.ZERO, DEFAULT_SIZE);

    public AuthCache {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(negativeTtl, "negativeTtl");
        if (ttl.isNegative() || negativeTtl.isNegative()) {
            throw new IllegalArgumentException("auth-cache-ttl and auth-cache-negative-ttl must not be negative, were "
                    + ttl + " and " + negativeTtl);
        }
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("auth-cache-size must be 1.." + MAX_SIZE + ", was " + size);
        }
    }

    /** Whether any decision is remembered. */
    public boolean enabled() {
        return !ttl.isZero() || !negativeTtl.isZero();
    }
}
