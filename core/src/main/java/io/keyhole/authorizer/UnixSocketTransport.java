package io.keyhole.authorizer;

import io.keyhole.AuthorizationException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The nginx module's Unix-socket exchange: connect to a stream socket, write the whole
 * request, half-close the write side, read the answer until the backend closes. Uses the JDK's
 * own Unix-domain channels. One connection per exchange unless connections are
 * {@linkplain KeepAlive kept}. Thread-safe.
 *
 * <p>A missing socket file, a refused connection or a socket Keyhole may not open is
 * {@code UNAVAILABLE}, as is a backend that closes before taking the request; a connect that
 * does not complete within {@code connectTimeout}, or an answer that has not fully arrived
 * within {@code answerTimeout} of the connection being made, is {@code TIMEOUT} (a backend that
 * trickles bytes gets no more time than one that is silent); an answer longer than
 * {@code maxAnswerBytes}, or a connection that breaks while the answer is read, is
 * {@code BAD_ANSWER}. Either way the connection is closed and the calling thread is released at
 * the deadline. {@link TcpTransport} makes the same exchange over TCP.
 *
 * <p>With a {@link KeepAlive} enabled, connections are kept open between questions instead, and
 * each question and answer is one line; see {@link KeepAlive} for what the backend must do.
 *
 * <pre>{@code
 * Transport unix = new UnixSocketTransport(Path.of("/run/auth.sock"), Duration.ofSeconds(1), Duration.ofSeconds(5));
 * Authorizer authorizer = Authorizers.of(new JsonRequestType(), unix);
 * }</pre>
 */
public final class UnixSocketTransport implements Transport {

    /** Largest answer accepted by default. */
    public static final int DEFAULT_MAX_ANSWER_BYTES = Limits.DEFAULT_MAX_ANSWER_BYTES;

    private final Path socket;
    private final UnixDomainSocketAddress address;
    private final Limits limits;
    private final String description;
    private final StreamExchange stream;
    private final KeepAlive keepAlive;
    /** {@code null} for a connection per question. */
    private final KeptExchange kept;

    /** A transport accepting answers up to {@link #DEFAULT_MAX_ANSWER_BYTES}. */
    public UnixSocketTransport(Path socket, Duration connectTimeout, Duration answerTimeout) {
        this(socket, connectTimeout, answerTimeout, DEFAULT_MAX_ANSWER_BYTES);
    }

    /**
     * @param socket         the backend's stream socket, on the default file system
     * @param connectTimeout how long a connection may take, positive
     * @param answerTimeout  how long writing the request and reading the whole answer may take, positive
     * @param maxAnswerBytes the largest answer accepted, positive
     * @throws IllegalArgumentException when a value is out of range
     */
    public UnixSocketTransport(Path socket, Duration connectTimeout, Duration answerTimeout, int maxAnswerBytes) {
        this(socket, connectTimeout, answerTimeout, maxAnswerBytes, KeepAlive.OFF);
    }

    /**
     * A transport that keeps connections open between questions when {@code keepAlive} is
     * {@linkplain KeepAlive#enabled() enabled}; its backend must speak that framing.
     *
     * @param keepAlive {@link KeepAlive#OFF} for a connection per question
     * @throws IllegalArgumentException when a value is out of range
     */
    public UnixSocketTransport(Path socket, Duration connectTimeout, Duration answerTimeout, int maxAnswerBytes,
                               KeepAlive keepAlive) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.limits = new Limits(connectTimeout, answerTimeout, maxAnswerBytes);
        this.address = UnixDomainSocketAddress.of(socket);
        this.description = "unix:" + socket;
        this.stream = new StreamExchange(description, limits);
        this.keepAlive = Objects.requireNonNull(keepAlive, "keepAlive");
        this.kept = keepAlive.enabled() ? new KeptExchange(stream, limits, keepAlive) : null;
    }

    /** The socket's path. */
    public Path socket() {
        return socket;
    }

    /** How long a connection may take. */
    public Duration connectTimeout() {
        return limits.connectTimeout();
    }

    /** How long writing the request and reading the whole answer may take. */
    public Duration answerTimeout() {
        return limits.answerTimeout();
    }

    /** The largest answer accepted. */
    public int maxAnswerBytes() {
        return limits.maxAnswerBytes();
    }

    /** Whether connections are kept between questions, and how many. */
    public KeepAlive keepAlive() {
        return keepAlive;
    }

    @Override
    public byte[] exchange(byte[] request) throws AuthorizationException {
        Objects.requireNonNull(request, "request");
        return kept != null
                ? kept.exchange(address, request, System.nanoTime())
                : stream.exchange(address, request, System.nanoTime());
    }

    @Override
    public boolean probe() throws AuthorizationException {
        stream.probe(address, System.nanoTime());
        return true;
    }

    /**
     * Closes the connections kept between questions, if any, and lets the deadline thread that all
     * such transports share end once no open transport uses it. Exchanges after it still work,
     * each on a connection of its own.
     */
    @Override
    public void close() {
        if (kept != null) {
            kept.close();
        }
        stream.close();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }
}
