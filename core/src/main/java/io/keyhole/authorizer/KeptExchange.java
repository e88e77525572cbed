package io.keyhole.authorizer;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.internal.Watchdog;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@linkplain KeepAlive kept-connection} protocol over a stream socket: the question is
 * written as one line (the JSON object and a line feed) on a connection kept from an earlier
 * question when there is one, and the answer is read up to its line feed; the connection then
 * waits for the next question. Thread-safe.
 *
 * <p>A kept connection the backend has closed meanwhile (it restarted, or dropped an idle
 * connection) shows as a connection that ends or breaks before any byte of the answer. The
 * question is then asked once more on a new connection, within what is left of the answer
 * deadline; a backend may therefore see a question twice, as with HTTP keep-alive. Any other
 * failure closes the connection and is the exchange's failure, as in {@link StreamExchange}. Only
 * a connection that delivered exactly one complete line is kept.
 */
final class KeptExchange {

    private final StreamExchange stream;
    private final Limits limits;
    private final KeepAlive keepAlive;
    /** Unused connections, most recently used first; guarded by itself. */
    private final ArrayDeque<Idle> idle = new ArrayDeque<>();
    private boolean closed;

    private record Idle(SocketChannel channel, long sinceNanos) {
    }

    KeptExchange(StreamExchange stream, Limits limits, KeepAlive keepAlive) {
        this.stream = stream;
        this.limits = limits;
        this.keepAlive = keepAlive;
    }

    /**
     * Asks once, on a kept connection to {@code address} or a new one.
     *
     * @param startNanos when the caller's exchange began, so that failures report the whole wait
     * @throws IllegalArgumentException when {@code request} holds a line feed: it could not be framed
     */
    byte[] exchange(SocketAddress address, byte[] request, long startNanos) throws AuthorizationException {
        byte[] line = line(request);
        long answerNanos = limits.answerNanos();
        SocketChannel kept = take();
        if (kept != null) {
            byte[] answer = converseOrClose(kept, line, startNanos, answerNanos, true);
            if (answer != null) {
                return answer;
            }
            // The backend had closed this connection: ask again on a new one, in the time that is left.
            answerNanos -= System.nanoTime() - startNanos;
            if (answerNanos <= 0) {
                throw stream.fail(Kind.TIMEOUT, startNanos, "no complete answer within "
                        + limits.answerTimeout().toMillis() + " ms (a kept connection had been closed by the backend)", null);
            }
        }
        SocketChannel fresh = stream.open(address, startNanos);
        try {
            stream.connect(fresh, address, startNanos);
        } catch (AuthorizationException e) {
            stream.close(fresh);
            throw e;
        }
        // Never null on a new connection: every failure there is the exchange's.
        return converseOrClose(fresh, line, startNanos, answerNanos, false);
    }

    /** The question and its line feed; a question is one JSON object, which never holds a raw line feed. */
    private static byte[] line(byte[] request) {
        for (byte b : request) {
            if (b == '\n') {
                throw new IllegalArgumentException("a question on a kept connection must be one line, but it holds a line feed");
            }
        }
        byte[] line = Arrays.copyOf(request, request.length + 1);
        line[request.length] = '\n';
        return line;
    }

    /**
     * One question on {@code channel}: the answer, after which the channel is kept or closed; or
     * {@code null} when a {@code reused} channel ended or broke before any byte of an answer,
     * after which it is closed. Every failure closes it.
     */
    private byte[] converseOrClose(SocketChannel channel, byte[] line, long start, long answerNanos, boolean reused)
            throws AuthorizationException {
        byte[] answer;
        try {
            answer = converse(channel, line, start, answerNanos, reused);
        } catch (AuthorizationException | RuntimeException e) {
            stream.close(channel);
            throw e;
        }
        if (answer == null) {
            stream.close(channel);
        } else {
            giveBack(channel);
        }
        return answer;
    }

    private byte[] converse(SocketChannel channel, byte[] line, long start, long answerNanos, boolean reused)
            throws AuthorizationException {
        Watchdog.Deadline deadline = Watchdog.shared().close(channel, answerNanos);
        try {
            try {
                ByteBuffer out = ByteBuffer.wrap(line);
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } catch (IOException e) {
                if (deadline.fired()) {
                    throw stream.fail(Kind.TIMEOUT, start, "the backend did not take the request within "
                            + limits.answerTimeout().toMillis() + " ms", null);
                }
                if (e instanceof ClosedByInterruptException) {
                    throw stream.fail(Kind.UNAVAILABLE, start, "interrupted while sending the request", e);
                }
                if (reused) {
                    return null;
                }
                throw stream.fail(Kind.UNAVAILABLE, start, "the backend closed the connection before taking the request: "
                        + StreamExchange.reason(e), e);
            }
            int max = limits.maxAnswerBytes();
            ByteBuffer in = StreamExchange.firstBuffer(max);
            try {
                int scanned = 0;
                while (true) {
                    if (channel.read(in) < 0) {
                        if (in.position() == 0 && reused) {
                            return null;
                        }
                        throw stream.fail(Kind.BAD_ANSWER, start, "the backend closed the connection before the end of"
                                + " its answer line (" + in.position() + " bytes received; with auth-keep-alive an answer"
                                + " ends with a line feed)", null);
                    }
                    int end = indexOfLineFeed(in.array(), scanned, in.position());
                    if (end >= 0) {
                        if (end + 1 != in.position()) {
                            throw stream.fail(Kind.BAD_ANSWER, start, "the backend sent " + (in.position() - end - 1)
                                    + " bytes after its answer line; one question has one answer", null);
                        }
                        return Arrays.copyOf(in.array(), end);
                    }
                    scanned = in.position();
                    if (!in.hasRemaining()) {
                        if (in.position() > max) {
                            throw stream.fail(Kind.BAD_ANSWER, start, "answer longer than " + max + " bytes", null);
                        }
                        in = StreamExchange.grow(in, max);
                    }
                }
            } catch (IOException e) {
                if (deadline.fired()) {
                    throw stream.fail(Kind.TIMEOUT, start, "no complete answer within " + limits.answerTimeout().toMillis()
                            + " ms (" + in.position() + " bytes received; with auth-keep-alive the backend must answer"
                            + " each line without waiting for the connection to close)", null);
                }
                if (e instanceof ClosedByInterruptException) {
                    throw stream.fail(Kind.UNAVAILABLE, start, "interrupted while waiting for the answer", e);
                }
                if (in.position() == 0 && reused) {
                    return null;
                }
                throw stream.fail(Kind.BAD_ANSWER, start, "the connection broke while reading the answer ("
                        + in.position() + " bytes received): " + StreamExchange.reason(e), e);
            }
        } finally {
            deadline.cancel();
        }
    }

    private static int indexOfLineFeed(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The most recently used connection that has not been idle too long; older ones are closed. */
    private SocketChannel take() {
        long now = System.nanoTime();
        List<SocketChannel> expired = null;
        Idle found;
        synchronized (idle) {
            Idle oldest;
            while ((oldest = idle.peekLast()) != null && now - oldest.sinceNanos() > keepAlive.idleNanos()) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(idle.pollLast().channel());
            }
            found = idle.pollFirst();
        }
        if (expired != null) {
            expired.forEach(stream::close);
        }
        return found == null ? null : found.channel();
    }

    /**
     * Keeps {@code channel} for the next question, or closes it when enough are kept or the
     * transport is closed. A deadline that fired just after the answer arrived has closed the
     * channel already: such a channel is not kept.
     */
    private void giveBack(SocketChannel channel) {
        synchronized (idle) {
            if (!closed && channel.isOpen() && idle.size() < keepAlive.idleConnections()) {
                idle.addFirst(new Idle(channel, System.nanoTime()));
                return;
            }
        }
        stream.close(channel);
    }

    /** Closes every kept connection; exchanges after it still work, each on a connection closed after it. */
    void close() {
        List<SocketChannel> all = new ArrayList<>();
        synchronized (idle) {
            closed = true;
            for (Idle i : idle) {
                all.add(i.channel());
            }
            idle.clear();
        }
        all.forEach(stream::close);
    }

    /** How many unused connections are kept now. */
    int idleCount() {
        synchronized (idle) {
            return idle.size();
        }
    }
}
