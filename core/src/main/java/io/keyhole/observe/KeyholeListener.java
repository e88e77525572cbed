package io.keyhole.observe;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What Keyhole tells about its work, for metrics and audit logs. Every method has a default that
 * does nothing, so a listener implements only what it needs.
 *
 * <p>Called on request threads, possibly many at once: implementations must be thread-safe,
 * quick, and must not block. An exception thrown by a listener is logged and otherwise ignored;
 * it never changes an answer.
 */
public interface KeyholeListener {

    /** The listener that ignores everything. */
    KeyholeListener NONE = new KeyholeListener() {
    };

    /**
     * A listener that tells each of {@code listeners} in turn: one that throws is logged and the
     * others are still told. {@link #NONE} among them is left out; {@link #NONE} itself when
     * nothing is left, so that callers can skip building events nobody hears.
     */
    static KeyholeListener all(KeyholeListener... listeners) {
        List<KeyholeListener> told = Arrays.stream(listeners)
                .map(l -> Objects.requireNonNull(l, "listener"))
                .flatMap(l -> l instanceof GuardedListener g ? g.listeners().stream() : Stream.of(l))
                .filter(l -> l != NONE).toList();
        return told.isEmpty() ? NONE : new GuardedListener(told);
    }

    /** One request answered: after its bytes were written, or after writing them failed. */
    default void answered(Answered event) {
    }

    /** One question put to the authorisation backend (a decision served from a cache asks none). */
    default void asked(Asked event) {
    }

    /** One lookup in the decision cache: {@code hit} when the decision was found there. */
    default void cacheLookup(boolean hit) {
    }
}
