package io.keyhole.examples.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.FileId;
import io.keyhole.testing.Tokens;
import io.keyhole.testing.Wire;
import io.keyhole.tree.HashedTree;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The example as it ships, with only the tree and the key moved into the test's directory. */
class FileHostApplicationTest {

    @TempDir
    Path dir;

    @Test
    void theOwnerGetsTheFileAndNobodyElse() throws Exception {
        String id = "3f2a9c0d41b7e8f5a6c1d2e3f4a5b6c7";
        byte[] pdf = "%PDF-1.7 quarterly report".getBytes(StandardCharsets.US_ASCII);
        Path file = new HashedTree(dir, 4).pathOf(FileId.parse(id));
        Files.createDirectories(file.getParent());
        Files.write(file, pdf);
        Path key = Files.write(dir.resolve("jwt.key"), Tokens.KEY);
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(FileHostApplication.class)
                .properties("server.port=0", "server.address=127.0.0.1", "keyhole.fs-root=" + dir,
                        "keyhole.jwt-key=file:" + key)
                .run()) {
            String url = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port") + "/" + id;
            HttpResponse<byte[]> owner = Wire.send("GET", url, "Authorization", "Bearer " + Tokens.valid("1001"));
            assertEquals(200, owner.statusCode());
            assertArrayEquals(pdf, owner.body());
            assertEquals("application/pdf", Wire.header(owner, "Content-Type"));
            assertEquals(403, Wire.send("GET", url, "Authorization", "Bearer " + Tokens.valid("1002")).statusCode());
            assertEquals(401, Wire.send("GET", url).statusCode());
            assertTrue(keyholeThreads() > 0, "the engine guards its opens with a thread of its own");
        }
        // the engine was closed with the context, and with it that thread
        Instant deadline = Instant.now().plusSeconds(10);
        while (keyholeThreads() > 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        assertEquals(0, keyholeThreads());
    }

    private static long keyholeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("keyhole-open-")).count();
    }
}
