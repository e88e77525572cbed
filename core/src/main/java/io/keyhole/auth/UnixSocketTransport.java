package io.keyhole.auth;

import io.keyhole.AuthorizationException;
import io.keyhole.AuthorizationException.Kind;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * The nginx module's Unix-socket exchange: connect to a stream socket, write the whole
 * request, half-close the write side, read the answer until the backend closes. Uses the JDK's
 * own Unix-domain channels. One connection per exchange. Thread-safe.
 *
 * <p>A missing socket file, a refused connection or a socket Keyhole may not open is
 * {@code UNAVAILABLE}, as is a backend that closes before taking the request; a connect that
 * does not complete within {@code connectTimeout}, or an answer that has not fully arrived
 * within {@code answerTimeout} of the connection being made, is {@code TIMEOUT} (a backend that
 * trickles bytes gets no more time than one that is silent); an answer longer than
 * {@code maxAnswerBytes}, or a connection that breaks while the answer is read, is
 * {@code BAD_ANSWER}. Either way the connection is closed and the calling thread is released at
 * the deadline.
 *
 * <pre>{@code
 * Transport unix = new UnixSocketTransport(Path.of("/run/auth.sock"), Duration.ofSeconds(1), Duration.ofSeconds(5));
 * Authorizer authorizer = Authorizers.of(new JsonRequestType(), unix);
 * }</pre>
 */
public final class UnixSocketTransport implements Transport {

    /** Largest answer accepted by default. */
    public static final int DEFAULT_MAX_ANSWER_BYTES = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(UnixSocketTransport.class.getName());
    private static final int FIRST_BUFFER_BYTES = 4096;

    private final Path socket;
    private final UnixDomainSocketAddress address;
    private final Duration connectTimeout;
    private final Duration answerTimeout;
    private final long connectNanos;
    private final long answerNanos;
    private final int maxAnswerBytes;
    private final String description;

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
        this.socket = Objects.requireNonNull(socket, "socket");
        this.connectTimeout = positive("connectTimeout", connectTimeout);
        this.answerTimeout = positive("answerTimeout", answerTimeout);
        if (maxAnswerBytes <= 0) {
            throw new IllegalArgumentException("maxAnswerBytes must be positive, was " + maxAnswerBytes);
        }
        this.address = UnixDomainSocketAddress.of(socket);
        this.connectNanos = nanos(connectTimeout);
        this.answerNanos = nanos(answerTimeout);
        this.maxAnswerBytes = maxAnswerBytes;
        this.description = "unix:" + socket;
    }

    private static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    private static long nanos(Duration d) {
        // Anything beyond ~292 years is as good as forever.
        return d.compareTo(Duration.ofDays(365L * 200)) > 0 ? Long.MAX_VALUE / 2 : d.toNanos();
    }

    /** The socket's path. */
    public Path socket() {
        return socket;
    }

    /** How long a connection may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long writing the request and reading the whole answer may take. */
    public Duration answerTimeout() {
        return answerTimeout;
    }

    /** The largest answer accepted. */
    public int maxAnswerBytes() {
        return maxAnswerBytes;
    }

    @Override
    public byte[] exchange(byte[] request) throws AuthorizationException {
        Objects.requireNonNull(request, "request");
        long start = System.nanoTime();
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw fail(Kind.UNAVAILABLE, start, "cannot open a Unix socket: " + reason(e), e);
        }
        try {
            connect(channel, start);
            return converse(channel, request, start);
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                // The exchange's outcome stands; the kernel has released the descriptor regardless.
                LOG.log(Level.DEBUG, "closing the connection to " + description + " failed", e);
            }
        }
    }

    private void connect(SocketChannel channel, long start) throws AuthorizationException {
        Watchdog.Deadline deadline = Watchdog.close(channel, connectNanos);
        try {
            channel.connect(address);
        } catch (IOException e) {
            if (deadline.fired()) {
                throw fail(Kind.TIMEOUT, start, "no connection within " + connectTimeout.toMillis() + " ms", null);
            }
            if (e instanceof ClosedByInterruptException) {
                throw fail(Kind.UNAVAILABLE, start, "interrupted while connecting", e);
            }
            throw fail(Kind.UNAVAILABLE, start, "cannot connect: " + reason(e), e);
        } finally {
            deadline.cancel();
        }
        if (deadline.fired()) {
            // Connected just as the deadline closed the channel.
            throw fail(Kind.TIMEOUT, start, "no connection within " + connectTimeout.toMillis() + " ms", null);
        }
    }

    private byte[] converse(SocketChannel channel, byte[] request, long start) throws AuthorizationException {
        Watchdog.Deadline deadline = Watchdog.close(channel, answerNanos);
        try {
            try {
                ByteBuffer out = ByteBuffer.wrap(request);
                while (out.hasRemaining()) {
                    channel.write(out);
                }
                // The backend reads until end of stream, then answers: the seed protocol's half-close.
                channel.shutdownOutput();
            } catch (IOException e) {
                if (deadline.fired()) {
                    throw fail(Kind.TIMEOUT, start, "the backend did not take the request within "
                            + answerTimeout.toMillis() + " ms", null);
                }
                if (e instanceof ClosedByInterruptException) {
                    throw fail(Kind.UNAVAILABLE, start, "interrupted while sending the request", e);
                }
                throw fail(Kind.UNAVAILABLE, start, "the backend closed the connection before taking the request: "
                        + reason(e), e);
            }
            ByteBuffer in = ByteBuffer.allocate(Math.min(FIRST_BUFFER_BYTES, maxAnswerBytes + 1));
            try {
                while (channel.read(in) >= 0) {
                    if (!in.hasRemaining()) {
                        if (in.position() > maxAnswerBytes) {
                            throw fail(Kind.BAD_ANSWER, start, "answer longer than " + maxAnswerBytes + " bytes", null);
                        }
                        in = grow(in);
                    }
                }
            } catch (IOException e) {
                if (deadline.fired()) {
                    throw fail(Kind.TIMEOUT, start, "no complete answer within " + answerTimeout.toMillis()
                            + " ms (" + in.position() + " bytes received)", null);
                }
                if (e instanceof ClosedByInterruptException) {
                    throw fail(Kind.UNAVAILABLE, start, "interrupted while waiting for the answer", e);
                }
                throw fail(Kind.BAD_ANSWER, start, "the connection broke while reading the answer ("
                        + in.position() + " bytes received): " + reason(e), e);
            }
            // A deadline that fired after the end of the answer was read does not spoil it.
            return Arrays.copyOf(in.array(), in.position());
        } finally {
            deadline.cancel();
        }
    }

    private ByteBuffer grow(ByteBuffer full) {
        int capacity = (int) Math.min((long) maxAnswerBytes + 1, 2L * full.capacity());
        ByteBuffer bigger = ByteBuffer.allocate(capacity);
        full.flip();
        return bigger.put(full);
    }

    private AuthorizationException fail(Kind kind, long start, String message, Throwable cause) {
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        return new AuthorizationException(kind, description, elapsedMillis, message, cause);
    }

    /** An I/O failure in words: the operating system's message, which names no request data. */
    private static String reason(IOException e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
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
