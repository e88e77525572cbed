package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import io.keyhole.FileId;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth-keep-alive} through the filter on a real Jetty, against the Java backend on a real
 * Unix socket: downloads share the backend connection, and a backend restarted under it is
 * reached again without a failed request.
 */
class KeptBackendConnectionsTest {

    private static final String ID = "40482fb01e0da292a1d208257a52059c";

    @TempDir
    Path dir;

    private static final Authorizer ALICE_ONLY = request -> "alice".equals(request.authValue())
            ? new AuthResponse(200, "report.pdf", "application/pdf", null, "\"v1\"", null, null, null)
            : AuthResponse.ofStatus(403);

    private static RawHttp.Response get(JettyHarness jetty, String user) throws IOException {
        return RawHttp.request(jetty.port(), "GET", "/files/" + ID, "Authorization: Bearer " + Tokens.valid(user));
    }

    @Test
    void downloadsShareOneBackendConnectionAndSurviveTheBackendsRestart() throws Exception {
        Path root = Files.createDirectories(dir.resolve("tree"));
        byte[] content = new byte[20_000];
        new Random(7).nextBytes(content);
        Path file = new HashedTree(root, 4).pathOf(FileId.parse(ID));
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Path socket = dir.resolve("auth.sock");
        JsonSocketServer backend = JsonSocketServer.start(socket, ALICE_ONLY);
        try (JettyHarness jetty = JettyHarness.start(Map.of(
                "fs-root", root.toString(),
                "mount", "/files/",
                "unix-socket", socket.toString(),
                "auth-keep-alive", "4",
                "jwt-key", new String(Tokens.KEY, StandardCharsets.UTF_8),
                "jwt-field", "uid"))) {
            for (int i = 0; i < 20; i++) {
                RawHttp.Response r = get(jetty, "alice");
                assertEquals(200, r.status());
                assertArrayEquals(content, r.body());
                assertEquals(403, get(jetty, "bob").status());
            }
            assertEquals(1, backend.connectionsAccepted(), "forty questions, one after the other, on one connection");

            // The backend restarts: the kept connection is dead, which the next request must not notice.
            backend.close();
            backend = JsonSocketServer.start(socket, ALICE_ONLY);
            RawHttp.Response after = get(jetty, "alice");
            assertEquals(200, after.status());
            assertArrayEquals(content, after.body());
            assertEquals(403, get(jetty, "bob").status());
            assertEquals(1, backend.connectionsAccepted());
        } finally {
            backend.close();
        }
    }
}
