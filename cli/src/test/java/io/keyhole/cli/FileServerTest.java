package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keyhole.AuthResponse;
import io.keyhole.DeliveryMode;
import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.testing.RawHttp;
import io.keyhole.tree.HashedTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server of {@code keyhole serve} on Jetty's core handler: offloading, and a reload in flight. */
class FileServerTest {

    static final String ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

    @TempDir
    Path dir;

    private KeyholeConfig.Builder tree() throws Exception {
        HashedTree tree = new HashedTree(Files.createDirectories(dir.resolve("tree")), 2);
        tree.create();
        Files.writeString(tree.pathOf(FileId.parse(ID)), "0123456789");
        return KeyholeConfig.builder().fsRoot(tree.root()).fsDepth(2).mount("/files/");
    }

    /** nginx sends the bytes: the answer names the file below accel-prefix, without framing or body. */
    @Test
    void offloadsToTheFrontServer() throws Exception {
        KeyholeConfig config = tree().authorizer(q -> AuthResponse.ofStatus(200))
                .delivery(DeliveryMode.X_ACCEL_REDIRECT).accelPrefix("/internal/").build();
        FileServer server = FileServer.start(config, Listen.parse("127.0.0.1:0"));
        try {
            RawHttp.Response r = RawHttp.request(server.port(), "GET", "/files/" + ID, "Range: bytes=0-3");
            assertEquals(200, r.status());
            assertEquals("/internal/0/a/" + ID, r.header("X-Accel-Redirect"));
            assertEquals("0", r.header("Content-Length"));
            assertNull(r.header("Content-Range"));
            assertEquals("", r.text());
        } finally {
            server.stop();
        }
    }

    /** What SIGHUP does: the next request meets the new engine, and health reports it. */
    @Test
    void reloadServesTheNewConfigurationFromTheNextRequest() throws Exception {
        KeyholeConfig.Builder base = tree();
        FileServer server = FileServer.start(base.authorizer(q -> AuthResponse.ofStatus(403)).build(),
                Listen.parse("127.0.0.1:0"));
        try {
            assertEquals(403, RawHttp.request(server.port(), "GET", "/files/" + ID).status());
            server.handler().reload(KeyholeConfig.builder().fsRoot(dir.resolve("tree")).fsDepth(2).mount("/files/")
                    .authorizer(q -> AuthResponse.ofStatus(200)).build(), Duration.ZERO);
            RawHttp.Response r = RawHttp.request(server.port(), "GET", "/files/" + ID);
            assertEquals(200, r.status());
            assertEquals("0123456789", r.text());
            assertEquals("UP", server.handler().health().status());
        } finally {
            server.stop();
        }
        assertEquals("DOWN", server.handler().health().status(), "closed with the server");
    }
}
