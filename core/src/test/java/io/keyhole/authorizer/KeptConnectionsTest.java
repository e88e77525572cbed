package io.keyhole.authorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections kept between questions ({@link KeepAlive}): one line per question and per answer,
 * reuse, the once-only retry when the backend dropped a kept connection, and every way a
 * backend can break the framing — against a scripted backend on a real socket.
 */
class KeptConnectionsTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final Duration PATIENT = Duration.ofSeconds(30);
    private static final byte[] QUESTION = "{\"uri\":\"/f/abcdef0123456789\",\"jwt_value\":\"alice\"}"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /** What the scripted backend does with the n-th question (from 0) on the c-th connection (from 0). */
    interface Script {
        /** What to do with the question {@code line}: see {@link Reply}. */
        Reply reply(int connection, int question, String line);
    }

    /**
     * The backend's move after a question: write {@code bytes} (none when {@code null}), then
     * close the connection if {@code close}, else read the next question on it.
     */
    record Reply(String bytes, boolean close) {
        /** One answer line, the connection kept. */
        static Reply line(String json) {
            return new Reply(json + "\n", false);
        }
    }

    /**
     * A backend that reads lines on each connection and answers as its script says; counts
     * connections and records every question line it read.
     */
    static final class LineBackend implements AutoCloseable {
        final ServerSocketChannel server;
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();
        final List<String> questions = new CopyOnWriteArrayList<>();
        private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        LineBackend(ProtocolFamily family, SocketAddress bind, Script script) throws IOException {
            server = ServerSocketChannel.open(family);
            server.bind(bind);
            acceptor = new Thread(() -> {
                while (true) {
                    SocketChannel client;
                    try {
                        client = server.accept();
                    } catch (IOException e) {
                        return;
                    }
                    int connection = connections.getAndIncrement();
                    open.add(client);
                    Thread t = new Thread(() -> serve(client, connection, script), "line-backend-" + connection);
                    t.setDaemon(true);
                    t.start();
                }
            }, "line-backend-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static LineBackend unix(Path socket, Script script) throws IOException {
            return new LineBackend(StandardProtocolFamily.UNIX, UnixDomainSocketAddress.of(socket), script);
        }

        static LineBackend tcp(Script script) throws IOException {
            return new LineBackend(StandardProtocolFamily.INET,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), script);
        }

        int port() throws IOException {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        }

        private void serve(SocketChannel client, int connection, Script script) {
            try (client) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(1024);
                int n = 0;
                while (client.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        byte b = buf.get();
                        if (b != '\n') {
                            line.write(b);
                            continue;
                        }
                        String question = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        questions.add(question);
                        Reply reply = script.reply(connection, n++, question);
                        if (reply.bytes() != null) {
                            ByteBuffer out = ByteBuffer.wrap(reply.bytes().getBytes(StandardCharsets.UTF_8));
                            while (out.hasRemaining()) {
                                client.write(out);
                            }
                        }
                        if (reply.close()) {
                            return;
                        }
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                // The client went away: nothing to answer.
            } finally {
                open.remove(client);
                synchronized (ended) {
                    ended.incrementAndGet();
                    ended.notifyAll();
                }
            }
        }

        /** Waits until every connection accepted so far has ended on the backend's side too. */
        void awaitAllEnded() throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            synchronized (ended) {
                while (ended.get() < connections.get()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError(ended.get() + " of " + connections.get() + " connections ended");
                    }
                    ended.wait(Math.max(1, left / 1_000_000));
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (SocketChannel c : open) {
                c.close();
            }
        }
    }

    private static final Script GRANTS = (c, q, line) -> Reply.line("{\"status\":200,\"filename\":\"c" + c + "q" + q + ".pdf\"}");

    private UnixSocketTransport kept(Path socket, int idle) {
        return new UnixSocketTransport(socket, SECOND, PATIENT, UnixSocketTransport.DEFAULT_MAX_ANSWER_BYTES,
                KeepAlive.of(idle));
    }

    private static String text(byte[] answer) {
        return new String(answer, StandardCharsets.UTF_8);
    }

    @Test
    void questionsInARowShareOneConnectionAndTravelAsLines() throws Exception {
        Path socket = dir.resolve("auth.sock");
        try (LineBackend backend = LineBackend.unix(socket, GRANTS); UnixSocketTransport transport = kept(socket, 4)) {
            for (int i = 0; i < 50; i++) {
                // The answer's line feed is the framing, not part of the answer.
                assertEquals("{\"status\":200,\"filename\":\"c0q" + i + ".pdf\"}", text(transport.exchange(QUESTION)));
            }
            assertEquals(1, backend.connections.get(), "one connection for all fifty questions");
            assertEquals(50, backend.questions.size());
            assertTrue(backend.questions.stream().allMatch(q -> q.equals(new String(QUESTION, StandardCharsets.UTF_8))),
                    "each question arrived whole, as one line");
        }
    }

    @Test
    void overTcpToo() throws Exception {
        try (LineBackend backend = LineBackend.tcp(GRANTS);
             TcpTransport transport = new TcpTransport("127.0.0.1", backend.port(), SECOND, PATIENT,
                     TcpTransport.DEFAULT_MAX_ANSWER_BYTES, KeepAlive.of(2))) {
            for (int i = 0; i < 20; i++) {
                assertEquals("{\"status\":200,\"filename\":\"c0q" + i + ".pdf\"}", text(transport.exchange(QUESTION)));
            }
            assertEquals(1, backend.connections.get());
        }
    }

    @Test
    void aKeptConnectionTheBackendClosedIsReplacedAndTheQuestionAskedOnce() throws Exception {
        Path socket = dir.resolve("auth.sock");
        // A backend that drops every connection after one answer, without a word.
        Script oneEach = (c, q, line) -> new Reply("{\"status\":200,\"filename\":\"c" + c + ".pdf\"}\n", true);
        try (LineBackend backend = LineBackend.unix(socket, oneEach); UnixSocketTransport transport = kept(socket, 4)) {
            for (int i = 0; i < 10; i++) {
                assertEquals("{\"status\":200,\"filename\":\"c" + i + ".pdf\"}", text(transport.exchange(QUESTION)));
            }
            assertEquals(10, backend.connections.get());
            assertEquals(10, backend.questions.size(), "no question reached a closed connection's backend twice");
        }
    }

    @Test
    void aBackendThatDropsAKeptConnectionWhileAnsweringIsAskedOnceMoreOnANewOne() throws Exception {
        Path socket = dir.resolve("auth.sock");
        // Connection 0 answers its first question and drops the second unanswered; later connections answer.
        Script dropsSecond = (c, q, line) -> c == 0 && q == 1
                ? new Reply(null, true)
                : Reply.line("{\"status\":200,\"filename\":\"c" + c + "q" + q + ".pdf\"}");
        try (LineBackend backend = LineBackend.unix(socket, dropsSecond); UnixSocketTransport transport = kept(socket, 4)) {
            assertEquals("{\"status\":200,\"filename\":\"c0q0.pdf\"}", text(transport.exchange(QUESTION)));
            assertEquals("{\"status\":200,\"filename\":\"c1q0.pdf\"}", text(transport.exchange(QUESTION)));
            assertEquals(3, backend.questions.size(), "the second question was read twice: once dropped, once answered");
            assertEquals(2, backend.connections.get());
        }
    }

    @Test
    void aNewConnectionClosedWithoutAnAnswerIsABadAnswerAndNotRetried() throws Exception {
        Path socket = dir.resolve("auth.sock");
        try (LineBackend backend = LineBackend.unix(socket, (c, q, line) -> new Reply(null, true));
             UnixSocketTransport transport = kept(socket, 4)) {
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> transport.exchange(QUESTION));
            // As with a connection per question, a backend that took the question and died answers 502.
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertTrue(e.getMessage().contains("closed the connection before the end of its answer line"), e.getMessage());
            assertEquals(1, backend.connections.get(), "a new connection's failure is not retried");
        }
    }

    @Test
    void bytesAfterTheAnswerLineAreABadAnswerAndTheConnectionIsNotKept() throws Exception {
        Path socket = dir.resolve("auth.sock");
        Script twoAnswers = (c, q, line) -> c == 0
                ? new Reply("{\"status\":403}\n{\"status\":200}\n", false)
                : Reply.line("{\"status\":403}");
        try (LineBackend backend = LineBackend.unix(socket, twoAnswers); UnixSocketTransport transport = kept(socket, 4)) {
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> transport.exchange(QUESTION));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertTrue(e.getMessage().contains("after its answer line"), e.getMessage());
            // The stray grant is never read as the next question's answer.
            assertEquals("{\"status\":403}", text(transport.exchange(QUESTION)));
            assertEquals(2, backend.connections.get());
        }
    }

    @Test
    void anAnswerEndedByCloseInsteadOfALineFeedIsBad() throws Exception {
        Path socket = dir.resolve("auth.sock");
        try (LineBackend backend = LineBackend.unix(socket, (c, q, line) -> new Reply("{\"status\":200}", true));
             UnixSocketTransport transport = kept(socket, 4)) {
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> transport.exchange(QUESTION));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertTrue(e.getMessage().contains("ends with a line feed"), e.getMessage());
            assertEquals(1, backend.connections.get(), "answer bytes arrived, so the question is not asked again");
        }
    }

    @Test
    void aBackendWaitingForTheHalfCloseTimesOutWithAHint() throws Exception {
        Path socket = dir.resolve("auth.sock");
        // A backend of the nginx module's protocol reads to the end of the stream, which never comes.
        try (LineBackend backend = LineBackend.unix(socket, (c, q, line) -> new Reply(null, false));
             UnixSocketTransport transport = new UnixSocketTransport(socket, SECOND, Duration.ofMillis(200),
                     UnixSocketTransport.DEFAULT_MAX_ANSWER_BYTES, KeepAlive.of(4))) {
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> transport.exchange(QUESTION));
            assertEquals(Kind.TIMEOUT, e.kind());
            assertTrue(e.getMessage().contains("without waiting for the connection to close"), e.getMessage());
            assertEquals(1, backend.questions.size(), "the question was delivered; the answer never came");
        }
    }

    @Test
    void anOversizeAnswerLineIsBad() throws Exception {
        Path socket = dir.resolve("auth.sock");
        String big = "{\"error\":\"" + "x".repeat(100) + "\"}";
        try (LineBackend backend = LineBackend.unix(socket, (c, q, line) -> Reply.line(big));
             UnixSocketTransport exact = new UnixSocketTransport(socket, SECOND, PATIENT, big.length(), KeepAlive.of(1));
             UnixSocketTransport small = new UnixSocketTransport(socket, SECOND, PATIENT, big.length() - 1,
                     KeepAlive.of(1))) {
            assertEquals(big, text(exact.exchange(QUESTION)), "the line feed does not count against the limit");
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> small.exchange(QUESTION));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertEquals(2, backend.connections.get());
        }
    }

    @Test
    void aQuestionHoldingALineFeedIsRefusedBeforeAnythingIsSent() throws Exception {
        Path socket = dir.resolve("auth.sock");
        try (LineBackend backend = LineBackend.unix(socket, GRANTS); UnixSocketTransport transport = kept(socket, 4)) {
            assertThrows(IllegalArgumentException.class,
                    () -> transport.exchange("{\"uri\":\n\"/f/abcdef0123456789\"}".getBytes(StandardCharsets.UTF_8)));
            assertEquals(0, backend.connections.get());
        }
    }

    @Test
    void noMoreIdleConnectionsAreKeptThanAllowedAndNoneLeak() throws Exception {
        Path socket = dir.resolve("auth.sock");
        SocketAddress address = UnixDomainSocketAddress.of(socket);
        Limits limits = new Limits(SECOND, PATIENT, 65536);
        try (LineBackend backend = LineBackend.unix(socket, GRANTS)) {
            // Warm up first: the first use loads classes and may open the JDK's own descriptors.
            StreamExchange warm = new StreamExchange("unix:" + socket, limits);
            KeptExchange warming = new KeptExchange(warm, limits, KeepAlive.of(2));
            warming.exchange(address, QUESTION, System.nanoTime());
            warming.close();
            warm.close();
            backend.awaitAllEnded();
            Map<String, String> before = TransportFixtures.openDescriptors();

            StreamExchange stream = new StreamExchange("unix:" + socket, limits);
            KeptExchange exchange = new KeptExchange(stream, limits, KeepAlive.of(2));
            TransportFixtures.concurrently(8, 50, (t, r) ->
                    assertTrue(text(exchange.exchange(address, QUESTION, System.nanoTime())).startsWith("{\"status\":200")));
            assertTrue(exchange.idleCount() <= 2, "kept " + exchange.idleCount());
            assertEquals(401, backend.questions.size());
            exchange.close();
            stream.close();
            assertEquals(0, exchange.idleCount());
            backend.awaitAllEnded();
            TransportFixtures.assertSameDescriptors(before, "kept connections closed with their transport");
        }
    }

    @Test
    void aConnectionIdleForLongerThanTheTimeoutIsClosedNotReused() throws Exception {
        Path socket = dir.resolve("auth.sock");
        try (LineBackend backend = LineBackend.unix(socket, GRANTS);
             UnixSocketTransport expiring = new UnixSocketTransport(socket, SECOND, PATIENT,
                     UnixSocketTransport.DEFAULT_MAX_ANSWER_BYTES, new KeepAlive(4, Duration.ofNanos(1)))) {
            for (int i = 0; i < 5; i++) {
                expiring.exchange(QUESTION);
            }
            assertEquals(5, backend.connections.get(), "a connection idle for more than a nanosecond is never reused");
        }
    }

    @Test
    void closingClosesTheKeptConnectionsAndLaterQuestionsStillWork() throws Exception {
        Path socket = dir.resolve("auth.sock");
        try (LineBackend backend = LineBackend.unix(socket, GRANTS)) {
            UnixSocketTransport transport = kept(socket, 4);
            transport.exchange(QUESTION);
            transport.close();
            assertEquals("{\"status\":200,\"filename\":\"c1q0.pdf\"}", text(transport.exchange(QUESTION)),
                    "a question after close has a connection of its own");
            assertEquals(2, backend.connections.get());
        }
    }
}
