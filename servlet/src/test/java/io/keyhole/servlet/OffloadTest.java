package io.keyhole.servlet;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offloading renderings: Keyhole decides and sets headers, the front server sends the bytes. */
class OffloadTest {

    static final String ID = "abcdef0123456789abcdef0123456789";

    @TempDir
    Path root;

    private JettyHarness start(DeliveryMode mode, String prefix) throws Exception {
        HashedTree tree = new HashedTree(root, 2);
        Path file = tree.pathOf(FileId.parse(ID));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "hello");
        return JettyHarness.start(KeyholeConfig.builder()
                .fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(q -> new AuthResponse(200, "a b.txt", "text/plain", null, null, null, null, null))
                .delivery(mode).accelPrefix(prefix)
                .build());
    }

    @Test
    void xAccelRedirectNamesTheInternalLocationAndSendsNoBody() throws Exception {
        try (JettyHarness jetty = start(DeliveryMode.X_ACCEL_REDIRECT, "/protected/")) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/files/" + ID, "Range: bytes=0-1");
            assertEquals(200, r.status(), "ranges are the front server's job");
            assertEquals("/protected/a/b/" + ID, r.header("X-Accel-Redirect"));
            assertEquals("text/plain", r.header("Content-Type"));
            assertEquals("inline; filename=\"a b.txt\"", r.header("Content-Disposition"));
            assertNull(r.header("Content-Range"));
            assertEquals(0, r.body().length);
        }
    }

    @Test
    void xSendfileNamesTheFileSystemPath() throws Exception {
        try (JettyHarness jetty = start(DeliveryMode.X_SENDFILE, "/srv/tree/")) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/files/" + ID);
            assertEquals(200, r.status());
            assertEquals("/srv/tree/a/b/" + ID, r.header("X-Sendfile"));
            assertEquals(0, r.body().length);
        }
    }

    @Test
    void conditionalRequestsAreStillAnsweredByKeyhole() throws Exception {
        try (JettyHarness jetty = start(DeliveryMode.X_ACCEL_REDIRECT, "/protected/")) {
            RawHttp.Response first = RawHttp.request(jetty.port(), "GET", "/files/" + ID);
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/files/" + ID,
                    "If-None-Match: " + first.header("ETag"));
            assertEquals(304, r.status());
            assertNull(r.header("X-Accel-Redirect"));
        }
    }

    @Test
    void encodesAnythingUnusualInTheRedirect() {
        assertEquals("/prot%20ected/a%0D%0A/%C3%A9", OffloadRenderer.percentEncodePath("/prot ected/a\r\n/é"));
        // the first character to encode comes last, after a run that needs none
        assertEquals("/protected/0/1/ab-c.d_e~f%3F", OffloadRenderer.percentEncodePath("/protected/0/1/ab-c.d_e~f?"));
        assertEquals("/protected/0/1/0123abcdef", OffloadRenderer.percentEncodePath("/protected/0/1/0123abcdef"));
    }
}
