package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.keyhole.observe.Health;
import io.keyhole.testing.FakeBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Keyhole#health()} against real backends that come and go, and a tree that goes. */
class HealthTest {

    static final String GRANT = "{\"status\":200}";

    @TempDir
    Path dir;

    private KeyholeConfig.Builder tree() throws Exception {
        return KeyholeConfig.builder().fsRoot(Files.createDirectories(dir.resolve("tree"))).fsDepth(2)
                .authConnectTimeout(Duration.ofMillis(500));
    }

    @Test
    void aUnixSocketBackendThatGoesAwayIsDownThenUpAgain() throws Exception {
        Path socket = dir.resolve("auth.sock");
        try (Keyhole k = new Keyhole(tree().unixSocket(socket).build())) {
            try (FakeBackend backend = FakeBackend.start(socket, GRANT)) {
                Health h = k.health();
                assertTrue(h.up(), h.toString());
                assertEquals("UP", h.status());
                assertEquals("reachable: json over unix:" + socket, h.details().get("backend"));
                assertTrue(h.details().get("storage").startsWith("readable: "), h.toString());
                assertTrue(backend.requests().stream().allMatch(String::isEmpty), "a probe sends nothing: " + backend.requests());
            }
            Health down = k.health();
            assertFalse(down.up());
            assertEquals("DOWN", down.status());
            assertTrue(down.details().get("backend").startsWith("unreachable: "), down.toString());
            try (FakeBackend again = FakeBackend.start(socket, GRANT)) {
                assertTrue(k.health().up());
                assertTrue(again.requests().stream().allMatch(String::isEmpty));
            }
        }
    }

    @Test
    void aTcpBackendIsProbedByConnecting() throws Exception {
        FakeBackend backend = FakeBackend.startTcp(GRANT);
        try (Keyhole k = new Keyhole(tree().transportType("tcp").tcpHost(backend.host()).tcpPort(backend.port()).build())) {
            assertTrue(k.health().up(), k.health().toString());
            backend.close();
            Health down = k.health();
            assertFalse(down.up());
            assertTrue(down.details().get("backend").contains("UNAVAILABLE") || down.details().get("backend")
                    .contains("cannot connect"), down.toString());
        } finally {
            backend.close();
        }
    }

    @Test
    void anHttpBackendIsProbedByConnecting() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        int port = server.getAddress().getPort();
        try (Keyhole k = new Keyhole(tree().transportType("http").httpUrl(URI.create("http://127.0.0.1:" + port + "/auth")).build())) {
            assertTrue(k.health().up(), k.health().toString());
            server.stop(0);
            assertFalse(k.health().up(), k.health().toString());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aTreeThatIsGoneIsDown() throws Exception {
        try (Keyhole k = new Keyhole(tree().authorizer(q -> AuthResponse.ofStatus(200)).build())) {
            Health h = k.health();
            assertTrue(h.up(), h.toString());
            assertTrue(h.details().get("backend").startsWith("not checked: "), "a given authoriser cannot be probed: " + h);
            Files.delete(dir.resolve("tree"));
            Health down = k.health();
            assertFalse(down.up());
            assertTrue(down.details().get("storage").startsWith("unreadable: "), down.toString());
        }
    }

    @Test
    void aClosedKeyholeIsDown() throws Exception {
        Keyhole k = new Keyhole(tree().authorizer(q -> AuthResponse.ofStatus(200)).build());
        k.close();
        Health h = k.health();
        assertFalse(h.up());
        assertEquals("closed", h.details().get("keyhole"));
    }
}
