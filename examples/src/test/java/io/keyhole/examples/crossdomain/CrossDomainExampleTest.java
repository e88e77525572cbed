package io.keyhole.examples.crossdomain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The runnable example as started from the command line: both hosts up, wired to each other. */
class CrossDomainExampleTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** The same path on 127.0.0.1, since the JDK does not resolve *.localhost everywhere. */
    private static HttpResponse<byte[]> get(URI base, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + base.getPort() + path);
        return CLIENT.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void startsBothHostsAndCleansUp() throws Exception {
        Path root;
        try (CrossDomainExample.Running running = CrossDomainExample.start(0, 0)) {
            assertEquals(CrossDomainExample.APP_HOST, running.appUrl().getHost());
            assertEquals(CrossDomainExample.MEDIA_HOST, running.mediaUrl().getHost());

            HttpResponse<byte[]> page = get(running.appUrl(), "/");
            assertEquals(200, page.statusCode());
            assertTrue(new String(page.body()).contains("<form method=post action=/login>"));

            byte[] logo;
            try (InputStream in = getClass().getResourceAsStream("media/public/logo.png")) {
                logo = in.readAllBytes();
            }
            assertArrayEquals(logo, get(running.mediaUrl(), "/media/public/logo.png").body(), "public: no token");

            HttpResponse<byte[]> privateFile = get(running.mediaUrl(), "/media/alice/clip.mp4");
            assertEquals(302, privateFile.statusCode());
            String location = privateFile.headers().firstValue("Location").orElseThrow();
            assertTrue(location.startsWith("http://app.localhost:" + running.appUrl().getPort()
                    + "/media/alice/clip.mp4?bounced="), location);
            assertEquals(403, get(running.appUrl(), URI.create(location).getRawPath()).statusCode(), "nobody signed in");

            root = running.mediaRoot();
            assertTrue(Files.isRegularFile(root.resolve("alice/clip.mp4")));
        }
        assertFalse(Files.exists(root), "the temporary media root is gone");
    }
}
