package io.keyhole.tomcat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.KeyholeConfig;
import io.keyhole.testing.LogCapture;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Wire;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review's oversized-metadata attack on Tomcat, whose response headers must fit 8 KiB: a
 * backend's 2,000-character file name and 3,000-character entity tag gave Tomcat's own 500 page,
 * with nothing logged. Now the name is trimmed and the tag dropped, each with a log line.
 */
class TomcatOversizedMetadataTest {

    @TempDir
    Path root;
    @TempDir
    Path base;

    @Test
    void oversizedMetadataIsTrimmedAndLogged() throws Exception {
        TestTree tree = TestTree.create(root, 300_000);
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(q -> new AuthResponse(200, "é".repeat(1996) + ".pdf", "application/pdf", "attachment",
                        "\"" + "e".repeat(3000) + "\"", null, null, null)).build();
        try (TomcatServer tomcat = new TomcatServer(base).start(context -> KeyholeTomcat.mount(context, config));
             LogCapture log = LogCapture.start()) {
            for (String id : new String[] {TestTree.SMALL, TestTree.LARGE}) {
                HttpResponse<byte[]> r = Wire.send("GET", tomcat.base() + "files/" + id);
                assertEquals(200, r.statusCode(), id);
                assertArrayEquals(tree.content(id), r.body(), id);
                String disposition = r.headers().firstValue("Content-Disposition").orElseThrow();
                assertTrue(disposition.startsWith("attachment; filename=\"" + "_".repeat(251) + ".pdf\""), disposition);
                assertTrue(disposition.endsWith("%C3%A9.pdf"), disposition);
                assertEquals(1, log.containing("filename for " + id + " has 2000 characters").size(),
                        log.lines().toString());
            }
        }
    }
}
