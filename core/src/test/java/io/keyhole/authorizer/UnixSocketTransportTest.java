package io.keyhole.authorizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.Authorizer;
import io.keyhole.FileId;
import io.keyhole.internal.Watchdog;
import io.keyhole.testing.FakeBackend;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's Unix-socket exchange against a real backend on a real socket. */
class UnixSocketTransportTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    private static final Duration DEADLINE = Duration.ofMillis(200);

    @TempDir
    Path dir;

    private Path socket() {
        return dir.resolve("auth.sock");
    }

    /** For exchanges that are to succeed, however loaded the machine. */
    private UnixSocketTransport transport(Path socket) {
        return new UnixSocketTransport(socket, SECOND, Duration.ofSeconds(30));
    }

    /** For exchanges that are to run into the answer deadline. */
    private UnixSocketTransport impatient(Path socket) {
        return new UnixSocketTransport(socket, SECOND, DEADLINE);
    }

    @Test
    void exchangesBytesExactly() throws Exception {
        String answer = "{\"status\":200,\"filename\":\"Gr\u00fc\u00dfe \u20ac.pdf\"}\n";
        try (FakeBackend backend = FakeBackend.start(socket(), answer)) {
            String request = "{\"uri\":\"/f/abcdef0123456789\",\"jwt_value\":\"\u00e9l\u00e8ve\"}";
            byte[] got = transport(backend.socket()).exchange(request.getBytes(StandardCharsets.UTF_8));

            assertArrayEquals(answer.getBytes(StandardCharsets.UTF_8), got);
            assertEquals(List.of(request), backend.requests(), "the backend read the whole request up to the half-close");
            assertEquals(1, backend.connections(), "one connection per exchange");
        }
    }

    @Test
    void holdsTheSharedDeadlineThreadFromItsFirstExchangeUntilClosed() throws Exception {
        // Transports that other tests leave open hold it too: counted from here.
        int before = Watchdog.shared().users();
        try (FakeBackend backend = FakeBackend.start(socket(), "{}")) {
            UnixSocketTransport unused = transport(backend.socket());
            UnixSocketTransport used = transport(backend.socket());
            assertEquals(before, Watchdog.shared().users(), "a transport only built holds nothing");

            used.exchange(new byte[0]);
            used.exchange(new byte[0]);
            assertEquals(before + 1, Watchdog.shared().users(), "one hold, however many exchanges");

            used.close();
            used.close();
            unused.close();
            assertEquals(before, Watchdog.shared().users(), "released once, by the transport that held it");
            assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), used.exchange(new byte[0]),
                    "a connection per exchange: still works once closed");
            assertEquals(before, Watchdog.shared().users(), "an exchange after close holds nothing");
        }
    }

    @Test
    void requestsLargerThanTheSocketBufferAreWrittenWhole() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(), request -> "{\"length\":" + request.length() + "}")) {
            String request = "x".repeat(600_000);
            byte[] got = new UnixSocketTransport(backend.socket(), SECOND, Duration.ofSeconds(10))
                    .exchange(request.getBytes(StandardCharsets.US_ASCII));
            assertEquals("{\"length\":600000}", new String(got, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void composesWithTheJsonRequestType() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(), "{\"status\":403,\"error\":\"not yours\"}")) {
            Authorizer authorizer = Authorizers.of(new JsonRequestType(), transport(backend.socket()));
            AuthResponse answer = authorizer.authorize(
                    new AuthRequest("/f/abcdef0123456789", FileId.parse("abcdef0123456789"), "GET", "42", null, null));

            assertEquals(403, answer.status());
            assertEquals("not yours", answer.error());
            assertEquals("{\"uri\":\"/f/abcdef0123456789\",\"jwt_value\":\"42\"}", backend.lastRequest());
            assertEquals("json over unix:" + backend.socket(), authorizer.toString());
        }
    }

    @Test
    void missingSocketIsUnavailable() {
        AuthorizationException e = assertThrows(AuthorizationException.class,
                () -> transport(socket()).exchange(new byte[] {'{', '}'}));
        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertEquals(503, e.kind().status());
        assertEquals("unix:" + socket(), e.backend());
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
        assertTrue(e.getMessage().contains("backend unix:" + socket()), e.getMessage());
    }

    @Test
    void socketFileWithNobodyListeningIsUnavailable() throws Exception {
        // A backend that died leaves its socket file behind; connecting is refused.
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket()));
        }
        assertTrue(Files.exists(socket()));
        AuthorizationException e = assertThrows(AuthorizationException.class,
                () -> transport(socket()).exchange(new byte[] {'{', '}'}));
        assertEquals(Kind.UNAVAILABLE, e.kind());
    }

    @Test
    void regularFileInsteadOfASocketIsUnavailable() throws Exception {
        Files.writeString(socket(), "not a socket");
        AuthorizationException e = assertThrows(AuthorizationException.class,
                () -> transport(socket()).exchange(new byte[] {'{', '}'}));
        assertEquals(Kind.UNAVAILABLE, e.kind());
    }

    @Test
    void socketWithoutPermissionIsUnavailable() throws Exception {
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root may connect to anything");
        try (FakeBackend backend = FakeBackend.start(socket(), "{}")) {
            Files.setPosixFilePermissions(backend.socket(), PosixFilePermissions.fromString("---------"));
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> transport(backend.socket()).exchange(new byte[] {'{', '}'}));
            assertEquals(Kind.UNAVAILABLE, e.kind());
        }
    }

    @Test
    void hangingBackendTimesOutAtTheDeadline() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(), "{}").mode(FakeBackend.Mode.HANG)) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> impatient(backend.socket()).exchange("{}".getBytes(StandardCharsets.UTF_8)));

            assertEquals(Kind.TIMEOUT, e.kind());
            assertEquals(504, e.kind().status());
            assertTrue(e.elapsedMillis() >= DEADLINE.toMillis(), "waited " + e.elapsedMillis() + " ms");
            assertTrue(e.getMessage().contains("no complete answer within 200 ms (0 bytes received)"), e.getMessage());
            assertEquals(List.of("{}"), backend.requests(), "the request was delivered; only the answer never came");
        }
    }

    @Test
    void hangChosenByTheAnswererTimesOutToo() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(),
                request -> request.contains("slow") ? FakeBackend.HANG : "{}")) {
            UnixSocketTransport unix = impatient(backend.socket());
            assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), unix.exchange("fast".getBytes(StandardCharsets.UTF_8)));
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> unix.exchange("slow".getBytes(StandardCharsets.UTF_8)));
            assertEquals(Kind.TIMEOUT, e.kind());
        }
    }

    @Test
    void tricklingBackendGetsNoMoreTimeThanASilentOne() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(), "{}").mode(FakeBackend.Mode.TRICKLE)) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> impatient(backend.socket()).exchange("{}".getBytes(StandardCharsets.UTF_8)));

            assertEquals(Kind.TIMEOUT, e.kind());
            assertTrue(e.elapsedMillis() >= DEADLINE.toMillis(), "waited " + e.elapsedMillis() + " ms");
            assertTrue(e.getMessage().contains("no complete answer within 200 ms"), e.getMessage());
        }
    }

    @Test
    void connectThatCannotCompleteTimesOut() throws Exception {
        // A backend that stopped accepting: once its listen queue is full, a connect waits.
        try (ServerSocketChannel stuck = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stuck.bind(UnixDomainSocketAddress.of(socket()), 1);
            List<SocketChannel> queued = new ArrayList<>();
            try {
                while (queued.size() < 1000) {
                    SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
                    client.configureBlocking(false);
                    queued.add(client);
                    try {
                        client.connect(stuck.getLocalAddress());
                    } catch (IOException full) {
                        break;
                    }
                }
                assumeTrue(queued.size() < 1000, "the listen queue never filled up");

                UnixSocketTransport unix = new UnixSocketTransport(socket(), DEADLINE, SECOND);
                AuthorizationException e = assertThrows(AuthorizationException.class,
                        () -> unix.exchange("{}".getBytes(StandardCharsets.UTF_8)));
                assertEquals(Kind.TIMEOUT, e.kind());
                assertTrue(e.elapsedMillis() >= DEADLINE.toMillis(), "waited " + e.elapsedMillis() + " ms");
                assertTrue(e.getMessage().contains("no connection within 200 ms"), e.getMessage());
            } finally {
                for (SocketChannel client : queued) {
                    client.close();
                }
            }
        }
    }

    @Test
    void oversizeAnswerIsBad() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(), "x".repeat(1001))) {
            UnixSocketTransport unix = new UnixSocketTransport(backend.socket(), SECOND, SECOND, 1000);
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> unix.exchange("{}".getBytes(StandardCharsets.UTF_8)));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertTrue(e.getMessage().contains("answer longer than 1000 bytes"), e.getMessage());
        }
    }

    @Test
    void answerOfExactlyTheLimitIsAccepted() throws Exception {
        // 70 000 bytes also crosses the first read buffer's size several times.
        try (FakeBackend backend = FakeBackend.start(socket(), "y".repeat(70_000))) {
            UnixSocketTransport unix = new UnixSocketTransport(backend.socket(), SECOND, SECOND, 70_000);
            assertEquals(70_000, unix.exchange("{}".getBytes(StandardCharsets.UTF_8)).length);
        }
    }

    @Test
    void defaultLimitRejectsAnswersOver64KiB() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(), "{\"error\":\"" + "z".repeat(70_000) + "\"}")) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> transport(backend.socket()).exchange("{}".getBytes(StandardCharsets.UTF_8)));
            assertEquals(Kind.BAD_ANSWER, e.kind());
        }
    }

    @Test
    void garbageAnswerIsBadOnceDecoded() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(), "{}").mode(FakeBackend.Mode.GARBAGE)) {
            Authorizer authorizer = Authorizers.of(new JsonRequestType(), transport(backend.socket()));
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> authorizer.authorize(request()));
            assertEquals(Kind.BAD_ANSWER, e.kind());
        }
    }

    @Test
    void backendClosingWithoutAnswerNeverGrants() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(), "{}").mode(FakeBackend.Mode.CLOSE)) {
            UnixSocketTransport unix = transport(backend.socket());
            assertEquals(0, unix.exchange("{}".getBytes(StandardCharsets.UTF_8)).length);

            Authorizer authorizer = Authorizers.of(new JsonRequestType(), unix);
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> authorizer.authorize(request()));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertTrue(e.getMessage().contains("empty answer"), e.getMessage());
        }
    }

    @Test
    void backendClosingWithoutReadingNeverGrants() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(), "{}").mode(FakeBackend.Mode.DROP)) {
            Authorizer authorizer = Authorizers.of(new JsonRequestType(), transport(backend.socket()));
            for (int i = 0; i < 20; i++) {
                AuthorizationException e = assertThrows(AuthorizationException.class, () -> authorizer.authorize(request()));
                assertTrue(e.kind() == Kind.UNAVAILABLE || e.kind() == Kind.BAD_ANSWER, e.getMessage());
            }
            assertEquals(List.of(), backend.requests());
        }
    }

    @Test
    void interruptedCallerGetsUnavailableAndKeepsItsInterrupt() throws Exception {
        try (FakeBackend backend = FakeBackend.start(socket(), "{}")) {
            Thread.currentThread().interrupt();
            try {
                AuthorizationException e = assertThrows(AuthorizationException.class,
                        () -> transport(backend.socket()).exchange("{}".getBytes(StandardCharsets.UTF_8)));
                assertEquals(Kind.UNAVAILABLE, e.kind());
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void manyExchangesLeakNoDescriptors() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        TransportFixtures.releaseUnreferencedHttpClients();
        try (FakeBackend backend = FakeBackend.start(socket(), request -> "{\"status\":200,\"etag\":\"" + request + "\"}")) {
            UnixSocketTransport unix = transport(backend.socket());
            for (int i = 0; i < 20; i++) {
                unix.exchange("warm".getBytes(StandardCharsets.UTF_8));
            }
            long before = openDescriptors();

            for (int i = 0; i < 200; i++) {
                byte[] answer = unix.exchange(("s" + i).getBytes(StandardCharsets.UTF_8));
                assertEquals("{\"status\":200,\"etag\":\"s" + i + "\"}", new String(answer, StandardCharsets.UTF_8));
            }
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    String request = "c" + i;
                    answers.add(pool.submit(() -> new String(unix.exchange(request.getBytes(StandardCharsets.UTF_8)),
                            StandardCharsets.UTF_8)));
                }
                for (int i = 0; i < 200; i++) {
                    assertEquals("{\"status\":200,\"etag\":\"c" + i + "\"}", answers.get(i).get());
                }
            } finally {
                pool.shutdown();
            }

            // the backend closes its side just after the client has read the answer: let it finish
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (backend.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            // the backend counts a connection as closed just before it closes it: a leak stays, that does not
            long after = openDescriptors();
            while (after > before && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                after = openDescriptors();
            }
            // fewer is no leak: a descriptor left by an earlier test may close meanwhile
            assertTrue(after <= before, "descriptors open before and after 400 exchanges: " + before + ", " + after);
            assertEquals(420, backend.connections());
        }
    }

    @Test
    void timedOutExchangesLeakNoDescriptors() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc");
        TransportFixtures.releaseUnreferencedHttpClients();
        try (FakeBackend warm = FakeBackend.start(dir.resolve("warm.sock"), "{}")) {
            transport(warm.socket()).exchange("{}".getBytes(StandardCharsets.UTF_8));
        }
        long before = openDescriptors();
        try (FakeBackend backend = FakeBackend.start(socket(), "{}").mode(FakeBackend.Mode.HANG)) {
            UnixSocketTransport unix = impatient(backend.socket());
            ExecutorService pool = Executors.newFixedThreadPool(20);
            try {
                List<Future<Kind>> outcomes = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    outcomes.add(pool.submit(() -> {
                        try {
                            unix.exchange("{}".getBytes(StandardCharsets.UTF_8));
                            return null;
                        } catch (AuthorizationException e) {
                            return e.kind();
                        }
                    }));
                }
                for (Future<Kind> outcome : outcomes) {
                    assertEquals(Kind.TIMEOUT, outcome.get());
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(20, backend.openConnections(), "the backend still holds its ends");
        }
        long after = openDescriptors();
        assertTrue(after <= before, "every client end was closed at its deadline: " + before + ", " + after);
    }

    @Test
    void constructorRejectsNonsense() {
        Path s = socket();
        assertThrows(NullPointerException.class, () -> new UnixSocketTransport(null, SECOND, SECOND));
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketTransport(s, Duration.ZERO, SECOND));
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketTransport(s, SECOND, Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> new UnixSocketTransport(s, SECOND, null));
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketTransport(s, SECOND, SECOND, 0));
        assertThrows(IllegalArgumentException.class, () -> new UnixSocketTransport(s, SECOND, SECOND, -5));
    }

    @Test
    void describesItself() {
        UnixSocketTransport unix = new UnixSocketTransport(Path.of("/run/auth.sock"), SECOND, DEADLINE);
        assertEquals("unix:/run/auth.sock", unix.describe());
        assertEquals(UnixSocketTransport.DEFAULT_MAX_ANSWER_BYTES, unix.maxAnswerBytes());
        assertEquals(DEADLINE, unix.answerTimeout());
        assertEquals(SECOND, unix.connectTimeout());
        assertEquals(Path.of("/run/auth.sock"), unix.socket());
    }

    private static AuthRequest request() {
        return new AuthRequest("/f/abcdef0123456789", FileId.parse("abcdef0123456789"), "GET", null, null, null);
    }

    private static long openDescriptors() throws IOException {
        return TransportFixtures.openDescriptors().size();
    }
}
