package io.keyhole.authorizer;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether a stream transport ({@link UnixSocketTransport}, {@link TcpTransport}) keeps its
 * connections open between questions ({@code auth-keep-alive}, {@code auth-keep-alive-timeout}).
 *
 * <p>Off, each question has a connection of its own, closed by the backend to end the answer:
 * the nginx module's protocol, which every backend written for it speaks. On, a question is one
 * line — the JSON object, then a line feed — and so is its answer, and the connection stays open
 * for the next question: no connect, no close, one wake-up of the backend less per question. Only
 * a backend that speaks this framing may be used with it ({@link io.keyhole.backend.JsonSocketServer}
 * speaks both).
 *
 * @param idleConnections the most connections kept open while no question uses them; {@code 0}
 *                        for a connection per question. Connections in use are not limited: each
 *                        question in flight has one
 * @param idleTimeout     how long an unused connection is kept: one unused for longer is closed
 *                        rather than reused, at the next question
 */
public record KeepAlive(int idleConnections, Duration idleTimeout) {

    /** How long an unused connection is kept unless told otherwise. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    /** A connection per question, the nginx module's protocol. */
    public static final KeepAlive OFF = new KeepAlive(0, DEFAULT_IDLE_TIMEOUT);

    /** The most idle connections a transport may keep. */
    public static final int MAX_IDLE_CONNECTIONS = 4096;

    /** @throws IllegalArgumentException when {@code idleConnections} is outside 0..4096 or the timeout is not positive */
    public KeepAlive {
        if (idleConnections < 0 || idleConnections > MAX_IDLE_CONNECTIONS) {
            throw new IllegalArgumentException("auth-keep-alive must be 0 (a connection per question) to "
                    + MAX_IDLE_CONNECTIONS + " idle connections, was " + idleConnections);
        }
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("auth-keep-alive-timeout must be positive, was " + idleTimeout);
        }
    }

    /** Keeps up to {@code idleConnections} connections, each for up to {@link #DEFAULT_IDLE_TIMEOUT} unused. */
    public static KeepAlive of(int idleConnections) {
        return new KeepAlive(idleConnections, DEFAULT_IDLE_TIMEOUT);
    }

    /** Whether connections are kept at all. */
    public boolean enabled() {
        return idleConnections > 0;
    }

    long idleNanos() {
        return idleTimeout.compareTo(Duration.ofDays(365L * 200)) > 0 ? Long.MAX_VALUE / 2 : idleTimeout.toNanos();
    }
}
