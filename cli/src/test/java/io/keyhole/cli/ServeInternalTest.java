package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.FileId;
import io.keyhole.tree.HashedTree;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyhole serve} with {@code request-type=internal}, a JWT and uploads on, and nothing else
 * running: a private file server from one {@code .properties} file.
 */
class ServeInternalTest {

    static final Pattern READY = Pattern.compile("keyhole: serving (\\S+) at (http://127\\.0\\.0\\.1:\\d+/files/) \\((.+)\\)");
    static final byte[] KEY = "internal-test-key-0123456789abcd".getBytes(StandardCharsets.US_ASCII);
    static final String BOUNDARY = "b0undary";

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    static String bearer(String uid) {
        return "Bearer " + Tokens.mint(KEY, "HS256", Map.of("uid", uid), Duration.ofMinutes(5), Instant.now());
    }

    HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aliceUploadsReadsAndDeletesBobIsRefused() throws Exception {
        HashedTree tree = new HashedTree(dir.resolve("tree"), 2);
        tree.create();
        Path config = dir.resolve("keyhole.properties");
        Files.writeString(config, String.join("\n",
                "listen = 127.0.0.1:0",
                "mount = /files/",
                "fs-root = " + tree.root(),
                "fs-depth = 2",
                "request-type = internal",
                "read-only = no",
                "jwt-key = " + new String(KEY, StandardCharsets.US_ASCII),
                "jwt-field = uid",
                ""));
        byte[] content = new byte[200_000];
        new Random(3).nextBytes(content);
        try (JavaProcess server = JavaProcess.main("serve", "--config", config.toString())) {
            Matcher ready = READY.matcher(server.awaitLine(l -> l.startsWith("keyhole: serving")));
            assertTrue(ready.matches(), server.seen().toString());
            assertTrue(ready.group(3).startsWith("internal metadata beside the files in "), ready.group(3));
            URI base = URI.create(ready.group(2));

            // alice uploads
            ByteArrayOutputStream form = new ByteArrayOutputStream();
            form.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nplan.bin\r\n--"
                    + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"d\"; filename=\"x\"\r\n"
                    + "Content-Type: application/x-plan\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            form.writeBytes(content);
            form.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
            HttpResponse<byte[]> up = send(HttpRequest.newBuilder(base).header("Authorization", bearer("alice"))
                    .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray())));
            assertEquals(201, up.statusCode(), new String(up.body(), StandardCharsets.UTF_8));
            JsonNode answer = new ObjectMapper().readTree(up.body());
            FileId id = FileId.parse(answer.get("file_id").asText());
            assertEquals("/files/" + id, up.headers().firstValue("Location").orElseThrow());
            Path meta = tree.metaPathOf(id);
            assertTrue(Files.exists(meta), "the .meta appears beside the file");
            assertEquals("alice", new ObjectMapper().readTree(meta.toFile()).get("auth_value").asText());

            // alice downloads: 200, 206, 304
            URI file = base.resolve(id.value());
            HttpResponse<byte[]> whole = send(HttpRequest.newBuilder(file).header("Authorization", bearer("alice")));
            assertEquals(200, whole.statusCode());
            assertArrayEquals(content, whole.body());
            assertEquals("application/x-plan", whole.headers().firstValue("Content-Type").orElseThrow());
            String etag = whole.headers().firstValue("ETag").orElseThrow();
            HttpResponse<byte[]> part = send(HttpRequest.newBuilder(file).header("Authorization", bearer("alice"))
                    .header("Range", "bytes=100-199"));
            assertEquals(206, part.statusCode());
            assertArrayEquals(Arrays.copyOfRange(content, 100, 200), part.body());
            assertEquals("bytes 100-199/200000", part.headers().firstValue("Content-Range").orElseThrow());
            assertEquals(304, send(HttpRequest.newBuilder(file).header("Authorization", bearer("alice"))
                    .header("If-None-Match", etag)).statusCode());

            // bob gets 403
            HttpResponse<byte[]> bob = send(HttpRequest.newBuilder(file).header("Authorization", bearer("bob")));
            assertEquals(403, bob.statusCode());
            assertTrue(bob.body().length < 100, "no file bytes");

            // alice deletes; both get 404; file and .meta are gone
            assertEquals(403, send(HttpRequest.newBuilder(file).header("Authorization", bearer("bob")).DELETE()).statusCode());
            assertEquals(204, send(HttpRequest.newBuilder(file).header("Authorization", bearer("alice")).DELETE()).statusCode());
            assertEquals(404, send(HttpRequest.newBuilder(file).header("Authorization", bearer("alice"))).statusCode());
            assertEquals(404, send(HttpRequest.newBuilder(file).header("Authorization", bearer("bob"))).statusCode());
            assertFalse(Files.exists(meta), "the .meta disappears");
            assertFalse(Files.exists(tree.pathOf(id)));
        }
    }
}
