package io.keyhole.authorizer;

import static io.keyhole.authorizer.TransportFixtures.assertSameDescriptors;
import static io.keyhole.authorizer.TransportFixtures.canCountDescriptors;
import static io.keyhole.authorizer.TransportFixtures.closedPort;
import static io.keyhole.authorizer.TransportFixtures.concurrently;
import static io.keyhole.authorizer.TransportFixtures.liveThreads;
import static io.keyhole.authorizer.TransportFixtures.newThreads;
import static io.keyhole.authorizer.TransportFixtures.openDescriptors;
import static io.keyhole.authorizer.TransportFixtures.releaseUnreferencedHttpClients;
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
import io.keyhole.authorizer.TransportFixtures.FullListener;
import io.keyhole.testing.FakeBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The seed's exchange over TCP, against a real backend listening on loopback. */
class TcpTransportTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    /** For exchanges that are to time out. */
    private static final Duration DEADLINE = Duration.ofMillis(300);
    /** For exchanges that are to succeed, however loaded the machine. */
    private static final Duration PATIENT = Duration.ofSeconds(30);

    private static TcpTransport transport(FakeBackend backend) {
        return new TcpTransport(backend.host(), backend.port(), SECOND, PATIENT);
    }

    private static TcpTransport impatient(FakeBackend backend) {
        return new TcpTransport(backend.host(), backend.port(), SECOND, DEADLINE);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void exchangesBytesExactlyAndHalfCloses() throws Exception {
        String answer = "{\"status\":200,\"filename\":\"Gr\u00fc\u00dfe \u20ac.pdf\"}\n";
        try (FakeBackend backend = FakeBackend.startTcp(answer)) {
            String request = "{\"uri\":\"/f/abcdef0123456789\",\"jwt_value\":\"\u00e9l\u00e8ve\"}";
            byte[] got = transport(backend).exchange(utf8(request));

            assertArrayEquals(utf8(answer), got);
            // The backend answers only after reading end of stream: the request arrived whole, then the half-close.
            assertEquals(List.of(request), backend.requests());
            assertEquals(1, backend.connections(), "one connection per exchange");
        }
    }

    @Test
    void requestsLargerThanTheSocketBufferAreWrittenWhole() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp(request -> "{\"length\":" + request.length() + "}")) {
            String request = "x".repeat(600_000);
            byte[] got = new TcpTransport(backend.host(), backend.port(), SECOND, PATIENT)
                    .exchange(request.getBytes(StandardCharsets.US_ASCII));
            assertEquals("{\"length\":600000}", new String(got, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void composesWithTheJsonRequestType() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp("{\"status\":403,\"error\":\"not yours\"}")) {
            Authorizer authorizer = Authorizers.of(new JsonRequestType(), transport(backend));
            AuthResponse answer = authorizer.authorize(
                    new AuthRequest("/f/abcdef0123456789", FileId.parse("abcdef0123456789"), "GET", "42", null, null));

            assertEquals(403, answer.status());
            assertEquals("not yours", answer.error());
            assertEquals("{\"uri\":\"/f/abcdef0123456789\",\"jwt_value\":\"42\"}", backend.lastRequest());
            assertEquals("json over tcp:127.0.0.1:" + backend.port(), authorizer.toString());
        }
    }

    @Test
    void refusedConnectionIsUnavailable() throws Exception {
        int port = closedPort();
        TcpTransport tcp = new TcpTransport("127.0.0.1", port, SECOND, PATIENT);
        AuthorizationException e = assertThrows(AuthorizationException.class, () -> tcp.exchange(utf8("{}")));

        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertEquals(503, e.kind().status());
        assertEquals("tcp:127.0.0.1:" + port, e.backend());
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
    }

    @Test
    void connectThatCannotCompleteTimesOutAtTheConnectDeadline() throws Exception {
        try (FullListener stuck = new FullListener()) {
            TcpTransport tcp = new TcpTransport("127.0.0.1", stuck.port(), DEADLINE, PATIENT);
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> tcp.exchange(utf8("{}")));

            assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
            assertEquals(504, e.kind().status());
            assertTrue(e.elapsedMillis() >= DEADLINE.toMillis(), "waited " + e.elapsedMillis() + " ms");
            assertTrue(e.getMessage().contains("no connection within 300 ms"), e.getMessage());
        }
    }

    @Test
    void hangingBackendTimesOutAtTheDeadline() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp("{}").mode(FakeBackend.Mode.HANG)) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> impatient(backend).exchange(utf8("{}")));

            assertEquals(Kind.TIMEOUT, e.kind());
            assertTrue(e.elapsedMillis() >= DEADLINE.toMillis(), "waited " + e.elapsedMillis() + " ms");
            assertTrue(e.getMessage().contains("no complete answer within 300 ms (0 bytes received)"), e.getMessage());
            assertEquals(List.of("{}"), backend.requests(), "the request was delivered; only the answer never came");
        }
    }

    @Test
    void tricklingBackendGetsNoMoreTimeThanASilentOne() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp("{}").mode(FakeBackend.Mode.TRICKLE)) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> impatient(backend).exchange(utf8("{}")));

            assertEquals(Kind.TIMEOUT, e.kind());
            assertTrue(e.elapsedMillis() >= DEADLINE.toMillis(), "waited " + e.elapsedMillis() + " ms");
            assertTrue(e.getMessage().contains("no complete answer within 300 ms"), e.getMessage());
        }
    }

    @Test
    void garbageAnswerIsBadOnceDecoded() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp("{}").mode(FakeBackend.Mode.GARBAGE)) {
            Authorizer authorizer = Authorizers.of(new JsonRequestType(), transport(backend));
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> authorizer.authorize(request()));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertEquals(502, e.kind().status());
        }
    }

    @Test
    void oversizeAnswerIsBad() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp("x".repeat(1001))) {
            TcpTransport tcp = new TcpTransport(backend.host(), backend.port(), SECOND, PATIENT, 1000);
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> tcp.exchange(utf8("{}")));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertTrue(e.getMessage().contains("answer longer than 1000 bytes"), e.getMessage());
        }
    }

    @Test
    void answerOfExactlyTheLimitIsAccepted() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp("y".repeat(70_000))) {
            TcpTransport tcp = new TcpTransport(backend.host(), backend.port(), SECOND, PATIENT, 70_000);
            assertEquals(70_000, tcp.exchange(utf8("{}")).length);
        }
    }

    @Test
    void backendClosingWithoutAnswerNeverGrants() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp("{}").mode(FakeBackend.Mode.CLOSE)) {
            TcpTransport tcp = transport(backend);
            assertEquals(0, tcp.exchange(utf8("{}")).length);

            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> Authorizers.of(new JsonRequestType(), tcp).authorize(request()));
            assertEquals(Kind.BAD_ANSWER, e.kind());
        }
    }

    @Test
    void backendClosingWithoutReadingNeverGrants() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp("{}").mode(FakeBackend.Mode.DROP)) {
            Authorizer authorizer = Authorizers.of(new JsonRequestType(), transport(backend));
            for (int i = 0; i < 20; i++) {
                AuthorizationException e = assertThrows(AuthorizationException.class, () -> authorizer.authorize(request()));
                assertTrue(e.kind() == Kind.UNAVAILABLE || e.kind() == Kind.BAD_ANSWER, e.getMessage());
            }
            assertEquals(List.of(), backend.requests());
        }
    }

    @Test
    void interruptedCallerGetsUnavailableAndKeepsItsInterrupt() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp("{}")) {
            Thread.currentThread().interrupt();
            try {
                AuthorizationException e = assertThrows(AuthorizationException.class,
                        () -> transport(backend).exchange(utf8("{}")));
                assertEquals(Kind.UNAVAILABLE, e.kind());
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void concurrentExchangesAllSucceedAndLeakNothing() throws Exception {
        assumeTrue(canCountDescriptors(), "needs /proc");
        releaseUnreferencedHttpClients();
        try (FakeBackend backend = FakeBackend.startTcp(request -> "{\"status\":200,\"etag\":\"" + request + "\"}")) {
            TcpTransport tcp = new TcpTransport(backend.host(), backend.port(), PATIENT, PATIENT);
            tcp.exchange(utf8("warm"));
            Map<String, String> descriptors = openDescriptors();
            Set<Thread> threads = liveThreads();

            concurrently(50, 20, (thread, round) -> {
                String request = thread + "." + round;
                assertEquals("{\"status\":200,\"etag\":\"" + request + "\"}",
                        new String(tcp.exchange(utf8(request)), StandardCharsets.UTF_8));
            });

            assertEquals(1 + 50 * 20, backend.connections());
            assertSameDescriptors(descriptors, "descriptors open before and after 1000 exchanges");
            assertEquals(List.of(), newThreads(threads, "fake-backend-"), "threads started by the transport");
        }
    }

    @Test
    void timedOutExchangesLeakNoDescriptors() throws Exception {
        assumeTrue(canCountDescriptors(), "needs /proc");
        releaseUnreferencedHttpClients();
        try (FakeBackend warm = FakeBackend.startTcp("{}")) {
            transport(warm).exchange(utf8("{}"));
        }
        Map<String, String> before = openDescriptors();
        try (FakeBackend backend = FakeBackend.startTcp("{}").mode(FakeBackend.Mode.HANG)) {
            TcpTransport tcp = impatient(backend);
            concurrently(20, 1, (thread, round) -> {
                AuthorizationException e = assertThrows(AuthorizationException.class, () -> tcp.exchange(utf8("{}")));
                assertEquals(Kind.TIMEOUT, e.kind());
            });
        }
        assertSameDescriptors(before, "every client end was closed at its deadline");
    }

    @Test
    void constructorRejectsNonsense() {
        assertThrows(NullPointerException.class, () -> new TcpTransport(null, 7070, SECOND, SECOND));
        for (String host : new String[] {"", " ", "auth host", "auth.local:7070", "http://auth", "[", "[]", "::1::2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TcpTransport(host, 7070, SECOND, SECOND), host);
            assertTrue(e.getMessage().startsWith("host must be"), e.getMessage());
        }
        for (int port : new int[] {0, -1, 65536}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new TcpTransport("127.0.0.1", port, SECOND, SECOND));
            assertEquals("port must be between 1 and 65535, was " + port, e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new TcpTransport("127.0.0.1", 7070, Duration.ZERO, SECOND));
        assertThrows(IllegalArgumentException.class, () -> new TcpTransport("127.0.0.1", 7070, SECOND, Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> new TcpTransport("127.0.0.1", 7070, SECOND, null));
        assertThrows(IllegalArgumentException.class, () -> new TcpTransport("127.0.0.1", 7070, SECOND, SECOND, 0));
    }

    @Test
    void describesItself() {
        TcpTransport tcp = new TcpTransport("auth.internal", 7070, SECOND, DEADLINE);
        assertEquals("tcp:auth.internal:7070", tcp.describe());
        assertEquals("auth.internal", tcp.host());
        assertEquals(7070, tcp.port());
        assertEquals(SECOND, tcp.connectTimeout());
        assertEquals(DEADLINE, tcp.answerTimeout());
        assertEquals(TcpTransport.DEFAULT_MAX_ANSWER_BYTES, tcp.maxAnswerBytes());
        // IPv6 addresses are bracketed in the description, with or without brackets given.
        assertEquals("tcp:[::1]:7070", new TcpTransport("::1", 7070, SECOND, SECOND).describe());
        assertEquals("::1", new TcpTransport("[::1]", 7070, SECOND, SECOND).host());
    }

    private static AuthRequest request() {
        return new AuthRequest("/f/abcdef0123456789", FileId.parse("abcdef0123456789"), "GET", null, null, null);
    }
}
