package io.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.authorizer.TcpTransport;
import io.keyhole.authorizer.UnixSocketTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture itself: other modules' tests rely on it behaving exactly as documented. */
class FakeBackendTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private static byte[] exchange(Path socket, String request, Duration answerTimeout) throws Exception {
        return new UnixSocketTransport(socket, SECOND, answerTimeout).exchange(request.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void answersRecordsAndCleansUp() throws Exception {
        Path socket = dir.resolve("b.sock");
        try (FakeBackend backend = FakeBackend.start(socket, request -> "{\"echo\":" + request.length() + "}")) {
            assertEquals(socket, backend.socket());
            assertEquals("{\"echo\":3}", text(exchange(socket, "one", SECOND)));
            assertEquals("{\"echo\":5}", text(exchange(socket, "three", SECOND)));
            assertEquals(List.of("one", "three"), backend.requests());
            assertEquals("three", backend.lastRequest());
            assertEquals(2, backend.connections());
        }
        assertFalse(Files.exists(socket), "close() deletes the socket file");
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("fake-backend-") && t.isAlive()), "close() stops every thread");
    }

    @Test
    void modesSetBySetter() throws Exception {
        try (FakeBackend backend = FakeBackend.start(dir.resolve("b.sock"), "{}")) {
            backend.mode(FakeBackend.Mode.GARBAGE);
            assertEquals(FakeBackend.GARBAGE_ANSWER, text(exchange(backend.socket(), "a", SECOND)));
            backend.mode(FakeBackend.Mode.CLOSE);
            assertEquals("", text(exchange(backend.socket(), "b", SECOND)));
            backend.mode(FakeBackend.Mode.ANSWER);
            assertEquals("{}", text(exchange(backend.socket(), "c", SECOND)));
            assertEquals(List.of("a", "b", "c"), backend.requests());
        }
    }

    @Test
    void modesChosenByTheAnswerer() throws Exception {
        try (FakeBackend backend = FakeBackend.start(dir.resolve("b.sock"), request -> switch (request) {
            case "garbage" -> FakeBackend.GARBAGE;
            case "close" -> FakeBackend.CLOSE;
            case "null" -> null;
            case "throw" -> throw new IllegalStateException("answerer failed");
            default -> "{\"status\":200}";
        })) {
            assertEquals(FakeBackend.GARBAGE_ANSWER, text(exchange(backend.socket(), "garbage", SECOND)));
            assertEquals("", text(exchange(backend.socket(), "close", SECOND)));
            assertEquals("", text(exchange(backend.socket(), "null", SECOND)));
            assertEquals("", text(exchange(backend.socket(), "throw", SECOND)));
            assertEquals("{\"status\":200}", text(exchange(backend.socket(), "ok", SECOND)));
            assertEquals(1, backend.failures().size());
        }
    }

    @Test
    void closeReleasesAHangingConnection() throws Exception {
        CountDownLatch received = new CountDownLatch(1);
        FakeBackend backend = FakeBackend.start(dir.resolve("b.sock"), request -> {
            received.countDown();
            return FakeBackend.HANG;
        });
        CompletableFuture<byte[]> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return exchange(backend.socket(), "wait", Duration.ofMinutes(5));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(received.await(10, TimeUnit.SECONDS), "the request arrived");
        assertEquals(1, backend.openConnections());
        backend.close();
        assertEquals(0, answer.get().length, "closing the backend ends the exchange with no answer");
        assertEquals(0, backend.openConnections());
    }

    @Test
    void listensOnTcpLoopbackToo() throws Exception {
        FakeBackend backend = FakeBackend.startTcp(request -> request.equals("garbage") ? FakeBackend.GARBAGE : "{\"n\":1}");
        try (backend) {
            assertEquals("127.0.0.1", backend.host());
            assertTrue(backend.port() > 0);
            assertEquals("tcp:127.0.0.1:" + backend.port(), backend.describe());
            assertThrows(IllegalStateException.class, backend::socket);

            TcpTransport tcp = new TcpTransport(backend.host(), backend.port(), SECOND, SECOND);
            assertEquals(backend.describe(), tcp.describe(), "the fixture describes itself as the transport does");
            assertEquals("{\"n\":1}", text(tcp.exchange("one".getBytes(StandardCharsets.UTF_8))));
            assertEquals(FakeBackend.GARBAGE_ANSWER, text(tcp.exchange("garbage".getBytes(StandardCharsets.UTF_8))));
            backend.mode(FakeBackend.Mode.CLOSE);
            assertEquals("", text(tcp.exchange("two".getBytes(StandardCharsets.UTF_8))));
            assertEquals(List.of("one", "garbage", "two"), backend.requests());
            assertEquals(3, backend.connections());
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("fake-backend-") && t.isAlive()), "close() stops every thread");
    }

    @Test
    void unixBackendHasNoPort() throws Exception {
        try (FakeBackend backend = FakeBackend.start(dir.resolve("b.sock"), "{}")) {
            assertEquals("unix:" + backend.socket(), backend.describe());
            assertThrows(IllegalStateException.class, backend::port);
            assertThrows(IllegalStateException.class, backend::host);
        }
    }
}
