package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyhole serve} as a cross-domain media host: signed URLs get the file, others go to the application. */
class ServeMediaTest {

    static final String KEY = "k1:0123456789abcdef0123456789abcdef";
    static final Pattern READY = Pattern.compile(
            "keyhole: serving (\\S+) at (http://127\\.0\\.0\\.1:\\d+/media/) \\(signed URLs \\(keys k1\\), delivery stream\\)");

    @TempDir
    Path dir;

    private Path config(Path root, String mediaUrl) throws Exception {
        return Files.writeString(dir.resolve("media.properties"), String.join("\n",
                "listen = 127.0.0.1:0",
                "site-url = https://www.example.com",
                "media-url = " + mediaUrl,
                "media-root = " + root,
                "media-key = " + KEY,
                ""));
    }

    @Test
    void servesSignedUrlsAndSendsTheRestToTheApplication() throws Exception {
        Path root = Files.createDirectories(dir.resolve("media/docs"));
        byte[] content = "%PDF-1.4 signed".getBytes(StandardCharsets.US_ASCII);
        Files.write(root.resolve("report.pdf"), content);
        Path config = config(root.getParent(), "https://media.example.org/media/");
        try (JavaProcess server = JavaProcess.main("serve", "--config", config.toString())) {
            String ready = server.awaitLine(l -> l.startsWith("keyhole: serving"));
            Matcher m = READY.matcher(ready);
            assertTrue(m.matches(), ready);
            assertEquals(root.getParent().toString(), m.group(1));
            URI base = URI.create(m.group(2));

            MediaSettings app = MediaSettings.fromProperties(Map.of("site-url", "https://www.example.com",
                    "media-url", "https://media.example.org/media/", "media-key", KEY));
            String signed = app.fullMediaUrl(MediaPath.of("docs/report.pdf"), true);
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> granted = http.send(HttpRequest.newBuilder(base.resolve(
                    signed.substring(signed.indexOf("/media/") + "/media/".length()))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, granted.statusCode());
            assertArrayEquals(content, granted.body());

            HttpResponse<byte[]> bare = http.send(HttpRequest.newBuilder(base.resolve("docs/report.pdf")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(302, bare.statusCode());
            assertTrue(bare.headers().firstValue("Location").orElse("")
                    .startsWith("https://www.example.com/media/docs/report.pdf?bounced="));
        }
    }

    /**
     * Jetty decodes the URL's path once and the media host reads it as decoded: {@code %2525}
     * names a file whose name holds {@code %25}, {@code %25} one whose name holds {@code %}, and
     * each token opens only the file it was signed for.
     */
    @Test
    void theUrlPathIsDecodedExactlyOnce() throws Exception {
        Path root = Files.createDirectories(dir.resolve("media/docs"));
        Files.writeString(root.resolve("100%25.txt"), "literally percent-2-5");
        Files.writeString(root.resolve("100%.txt"), "a bare percent sign");
        Path config = config(root.getParent(), "https://media.example.org/media/");
        try (JavaProcess server = JavaProcess.main("serve", "--config", config.toString())) {
            Matcher m = READY.matcher(server.awaitLine(l -> l.startsWith("keyhole: serving")));
            assertTrue(m.matches());
            URI base = URI.create(m.group(2));
            MediaSettings app = MediaSettings.fromProperties(Map.of("site-url", "https://www.example.com",
                    "media-url", "https://media.example.org/media/", "media-key", KEY));
            HttpClient http = HttpClient.newHttpClient();
            MediaPath literal = MediaPath.of("docs/100%25.txt");
            MediaPath bare = MediaPath.of("docs/100%.txt");
            String literalToken = "?token=" + app.signer().sign(literal);
            String bareToken = "?token=" + app.signer().sign(bare);

            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("docs/100%2525.txt" + literalToken))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("literally percent-2-5", r.body());
            r = http.send(HttpRequest.newBuilder(base.resolve("docs/100%25.txt" + bareToken)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("a bare percent sign", r.body());
            r = http.send(HttpRequest.newBuilder(base.resolve("docs/100%2525.txt" + bareToken)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode(), "a token opens only the path it was signed for: " + r.body());
        }
    }

    @Test
    void aDevelopmentConfigurationIsNoMediaHost() throws Exception {
        Path config = config(Files.createDirectories(dir.resolve("media")), "/media/");
        try (JavaProcess child = JavaProcess.main("serve", "--config", config.toString())) {
            assertEquals(2, child.awaitExit(), child.stderr());
            assertTrue(child.stderr().contains("media-url /media/ is a path (development mode"), child.stderr());
        }
    }

    @Test
    void aMissingMediaRootIsNamed() throws Exception {
        Path config = config(dir.resolve("absent"), "https://media.example.org/media/");
        try (JavaProcess child = JavaProcess.main("serve", "--config", config.toString())) {
            assertEquals(2, child.awaitExit(), child.stderr());
            assertTrue(child.stderr().contains("media-root " + dir.resolve("absent") + " is not a directory"),
                    child.stderr());
        }
    }
}
