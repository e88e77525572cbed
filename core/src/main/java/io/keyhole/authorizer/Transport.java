package io.keyhole.authorizer;

import io.keyhole.AuthorizationException;

/**
 * Carries one question to the backend and brings its answer back. Implementations are
 * thread-safe, open what they need per exchange (or pool it), and enforce their deadlines.
 */
public interface Transport extends AutoCloseable {

    /**
     * Sends {@code request} and returns the complete answer.
     *
     * @throws AuthorizationException {@code UNAVAILABLE} when the backend cannot be reached,
     *                                {@code TIMEOUT} when a deadline passed, {@code BAD_ANSWER}
     *                                when the answer is too large
     */
    byte[] exchange(byte[] request) throws AuthorizationException;

    /**
     * Connects to the backend and hangs up again, within the connect deadline, sending nothing:
     * whether it can be reached. The default cannot tell and returns {@code false}.
     *
     * @return {@code true} when the backend was reached, {@code false} when this transport cannot check
     * @throws AuthorizationException {@code UNAVAILABLE} or {@code TIMEOUT} as for {@link #exchange}
     */
    default boolean probe() throws AuthorizationException {
        return false;
    }

    /** A short description for messages and logs, e.g. {@code unix:/run/auth.sock}. */
    String describe();

    /**
     * Releases what the transport keeps between exchanges (threads, pooled connections, its hold
     * on a thread shared with other transports). An exchange after it may fail; transports that
     * open a connection per exchange keep working.
     */
    @Override
    default void close() {
    }
}
