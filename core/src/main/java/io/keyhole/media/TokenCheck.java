package io.keyhole.media;

import java.time.Duration;
import java.time.Instant;

/**
 * What {@link MediaUrlSigner#check} found out about a media URL's token. Only {@link Valid}
 * grants the file. {@link Missing}, {@link Expired} and {@link AheadOfClock} are worth a trip to
 * the application for a fresh token; {@link Invalid} is not. No variant carries the token.
 */
public sealed interface TokenCheck {

    /** Whether the application could fix this with a fresh token. */
    default boolean renewable() {
        return this instanceof Missing || this instanceof Expired || this instanceof AheadOfClock;
    }

    /**
     * Signed by a known key for this path (and method), and within its lifetime.
     *
     * @param keyId   the key that signed it
     * @param expires when it stops being accepted, leeway not counted
     */
    record Valid(String keyId, Instant expires) implements TokenCheck {
    }

    /** The URL carries no token. */
    record Missing() implements TokenCheck {
    }

    /**
     * Genuine, but past its expiry plus the leeway.
     *
     * @param expires when it stopped being valid, leeway not counted
     * @param ago     how long before now that was, leeway not counted
     */
    record Expired(Instant expires, Duration ago) implements TokenCheck {
    }

    /**
     * Genuine, but it expires later than a token made now could: its maker's clock runs ahead
     * of this one, or its maker uses a longer lifetime.
     *
     * @param expires   its expiry
     * @param tooFarBy  how much later than the latest acceptable expiry (now + lifetime + leeway)
     */
    record AheadOfClock(Instant expires, Duration tooFarBy) implements TokenCheck {
    }

    /**
     * Malformed, signed by an unknown key, or not signed for this path (or method). Safe to log.
     *
     * @param reason what is wrong, e.g. {@code unknown key id 'k0'}
     */
    record Invalid(String reason) implements TokenCheck {
    }
}
