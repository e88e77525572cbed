package io.keyhole.authorizer;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.internal.Logs;
import io.keyhole.internal.Watchdog;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * The seed protocol over a stream socket, whatever its family: connect, write the whole request,
 * half-close the write side, read the answer until the backend closes. One connection per
 * exchange. The Unix-socket and TCP transports differ only in the address they hand in.
 *
 * <p>Blocking channel operations take no timeout, so each phase is guarded by a
 * {@link Watchdog} deadline that closes the channel, which makes the blocked call fail at once.
 */
final class StreamExchange {

    private static final System.Logger LOG = Logs.of(StreamExchange.class);
    private static final int FIRST_BUFFER_BYTES = 4096;
    /**
     * Each thread's buffer for the first {@value #FIRST_BUFFER_BYTES} bytes of an answer, which
     * is copied out once read: an exchange allocates none of its own for an ordinary answer.
     */
    private static final ThreadLocal<ByteBuffer> FIRST_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocate(FIRST_BUFFER_BYTES));

    private final String description;
    private final Limits limits;
    /** Whether this exchange holds the {@link Watchdog} thread; read on every exchange, so volatile and set once. */
    private volatile boolean retained;
    private boolean closed;

    StreamExchange(String description, Limits limits) {
        this.description = description;
        this.limits = limits;
    }

    /**
     * Lets the {@link Watchdog} thread go, as far as this transport is concerned. Exchanges
     * still work afterwards (each opens its own connection), but no longer keep the thread.
     */
    synchronized void close() {
        if (!closed) {
            closed = true;
            if (retained) {
                Watchdog.shared().release();
            }
        }
    }

    /** Holds the watchdog from the first exchange on, not from construction: transports built only to check settings hold nothing. */
    private void retainWatchdog() {
        if (!retained) {
            synchronized (this) {
                if (!retained && !closed) {
                    Watchdog.shared().retain();
                    retained = true;
                }
            }
        }
    }

    /**
     * Asks once over a fresh connection to {@code address}.
     *
     * @param startNanos when the caller's exchange began, so that failures report the whole wait
     */
    byte[] exchange(SocketAddress address, byte[] request, long startNanos) throws AuthorizationException {
        SocketChannel channel = open(address, startNanos);
        try {
            connect(channel, address, startNanos);
            return converse(channel, request, startNanos);
        } finally {
            close(channel);
        }
    }

    /** Connects to {@code address} within the connect deadline and hangs up, sending nothing. */
    void probe(SocketAddress address, long startNanos) throws AuthorizationException {
        SocketChannel channel = open(address, startNanos);
        try {
            connect(channel, address, startNanos);
        } finally {
            close(channel);
        }
    }

    SocketChannel open(SocketAddress address, long startNanos) throws AuthorizationException {
        retainWatchdog();
        try {
            return SocketChannel.open(family(address));
        } catch (IOException e) {
            throw fail(Kind.UNAVAILABLE, startNanos, "cannot open a socket: " + reason(e), e);
        }
    }

    void close(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // The exchange's outcome stands; the kernel has released the descriptor regardless.
            LOG.log(Level.DEBUG, "closing the connection to " + description + " failed", e);
        }
    }

    private static ProtocolFamily family(SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress) {
            return StandardProtocolFamily.UNIX;
        }
        return ((InetSocketAddress) address).getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET;
    }

    void connect(SocketChannel channel, SocketAddress address, long start) throws AuthorizationException {
        Watchdog.Deadline deadline = Watchdog.shared().close(channel, limits.connectNanos());
        try {
            channel.connect(address);
        } catch (IOException e) {
            if (deadline.fired()) {
                throw noConnection(start);
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
            throw noConnection(start);
        }
    }

    private AuthorizationException noConnection(long start) {
        return fail(Kind.TIMEOUT, start, "no connection within " + limits.connectTimeout().toMillis() + " ms", null);
    }

    private byte[] converse(SocketChannel channel, byte[] request, long start) throws AuthorizationException {
        Watchdog.Deadline deadline = Watchdog.shared().close(channel, limits.answerNanos());
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
                            + limits.answerTimeout().toMillis() + " ms", null);
                }
                if (e instanceof ClosedByInterruptException) {
                    throw fail(Kind.UNAVAILABLE, start, "interrupted while sending the request", e);
                }
                throw fail(Kind.UNAVAILABLE, start, "the backend closed the connection before taking the request: "
                        + reason(e), e);
            }
            int max = limits.maxAnswerBytes();
            ByteBuffer in = firstBuffer(max);
            try {
                while (channel.read(in) >= 0) {
                    if (!in.hasRemaining()) {
                        if (in.position() > max) {
                            throw fail(Kind.BAD_ANSWER, start, "answer longer than " + max + " bytes", null);
                        }
                        in = grow(in, max);
                    }
                }
            } catch (IOException e) {
                if (deadline.fired()) {
                    throw fail(Kind.TIMEOUT, start, "no complete answer within " + limits.answerTimeout().toMillis()
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

    /** This thread's buffer for the start of an answer of at most {@code max} bytes, empty, with room for one byte more. */
    static ByteBuffer firstBuffer(int max) {
        return FIRST_BUFFER.get().clear().limit(Math.min(FIRST_BUFFER_BYTES, max + 1));
    }

    /** Doubles the buffer, but never beyond one byte over the limit: that byte is how an oversize answer shows. */
    static ByteBuffer grow(ByteBuffer full, int max) {
        int capacity = (int) Math.min((long) max + 1, 2L * full.capacity());
        ByteBuffer bigger = ByteBuffer.allocate(capacity);
        full.flip();
        return bigger.put(full);
    }

    AuthorizationException fail(Kind kind, long start, String message, Throwable cause) {
        return new AuthorizationException(kind, description, Limits.elapsedMillis(start), message, cause);
    }

    /**
     * An I/O failure in words: the innermost message the JDK or the operating system gave, which
     * names no request data.
     */
    static String reason(Throwable e) {
        Throwable innermost = e;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        Throwable named = innermost.getMessage() != null ? innermost : e;
        String message = named.getMessage();
        return message == null ? named.getClass().getSimpleName() : named.getClass().getSimpleName() + ": " + message;
    }
}
