package io.keyhole.examples;

import static io.keyhole.examples.ExampleSupport.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.testing.Nginx;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nginx fixture the X-Accel test stands on: it starts, serves, reports and cleans up. */
class NginxFixtureTest {

    @Test
    void servesTheGivenServerBlockAndLeavesNothingBehind(@TempDir Path dir) throws Exception {
        // A private temp directory: as root, nginx's workers must still be able to read it.
        byte[] content = "static bytes\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(dir.resolve("file.txt"), content);

        Nginx nginx = Nginx.start(port -> """
                server {
                    listen 127.0.0.1:%d;
                    location = /hello { return 200 "hello from nginx"; }
                    location /static/ { alias %s/; }
                }
                """.formatted(port, dir));
        Path prefix = nginx.prefix();
        List<ProcessHandle> processes;
        try {
            HttpResponse<byte[]> hello = get(nginx.uri("/hello"));
            assertEquals(200, hello.statusCode());
            assertEquals("hello from nginx", new String(hello.body(), StandardCharsets.US_ASCII));

            HttpResponse<byte[]> file = get(nginx.uri("/static/file.txt"));
            assertEquals(200, file.statusCode(), nginx::errorLog);
            assertArrayEquals(content, file.body());

            assertEquals(404, get(nginx.uri("/static/missing")).statusCode());
            assertTrue(nginx.errorLog().contains("missing"), "the 404 is in the error log: " + nginx.errorLog());
            assertTrue(nginx.config().contains("listen 127.0.0.1:" + nginx.port()));
            processes = ProcessHandle.of(nginx.pid()).orElseThrow().descendants().toList();
            assertFalse(processes.isEmpty(), "a worker process runs");
        } finally {
            nginx.close();
        }

        assertFalse(nginx.isRunning());
        assertTrue(processes.stream().noneMatch(ProcessHandle::isAlive), "no worker is left");
        assertFalse(Files.exists(prefix), "the prefix directory is removed");
    }

    @Test
    void aConfigurationNginxRejectsFailsWithItsOwnMessage() {
        Nginx.assumeInstalled();

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Nginx.start(port -> "server { listen 127.0.0.1:%d; no_such_directive on; }".formatted(port)));

        assertTrue(e.getMessage().contains("unknown directive \"no_such_directive\""), e.getMessage());
    }
}
