package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.keyhole.AuthRequest;
import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.StoredMetadata;
import io.keyhole.Disposition;
import io.keyhole.authorizer.JsonRequestType;
import io.keyhole.testing.Chromium;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.MetaFiles;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CORS in a real headless Chromium: a page on one origin fetches a private file from Keyhole on
 * another, with a bearer token and a range, and its script reads {@code ETag} and
 * {@code Content-Range}; a page on an origin not listed gets nothing.
 */
class CorsBrowserTest {

    static final byte[] KEY = "cors-browser-key-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final FileId ID = FileId.parse("0123456789abcdef0123456789abcdef.0");

    @TempDir
    Path dir;

    @Test
    void anAllowedPageReadsValidatorsAndRangesAnotherCannot() throws Exception {
        Chromium.assumeInstalled();
        HashedTree tree = new HashedTree(dir.resolve("tree"), 2);
        Files.createDirectories(tree.pathOf(ID).getParent());
        byte[] content = "0123456789 private bytes for the browser".getBytes(StandardCharsets.US_ASCII);
        Files.write(tree.pathOf(ID), content);
        StoredMetadata stored = new StoredMetadata(ID, content.length, "c0ffee", Instant.now(), "text/plain",
                "notes.txt", Disposition.INLINE);
        new MetaFiles(tree).write(ID, new JsonRequestType(JsonRequestType.Fields.LATER).encode(
                new AuthRequest("/files/" + ID, ID, "POST", "alice", null, null, stored)));

        HttpServer pages = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        pages.createContext("/", exchange -> {
            byte[] body = "<title>page</title>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        pages.start();
        int pagePort = pages.getAddress().getPort();
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(tree.root()).fsDepth(2).mount("/files/")
                .requestType("internal").jwtKey(KEY).jwtField("uid")
                .corsOrigins(List.of("http://app.localhost:" + pagePort)).build();
        FileServer files = FileServer.start(config, new Listen("127.0.0.1", 0));
        String token = Tokens.mint(KEY, "HS256", Map.of("uid", "alice"), Duration.ofMinutes(5), Instant.now());
        String url = "http://files.localhost:" + files.uri().getPort() + "/files/" + ID;
        String fetch = "fetch('" + url + "', {headers: {'Authorization': 'Bearer " + token + "', 'Range': 'bytes=0-9'}})"
                + ".then(async r => ({status: r.status, etag: r.headers.get('ETag'), range: r.headers.get('Content-Range'),"
                + " disposition: r.headers.get('Content-Disposition'), body: await r.text()}))"
                + ".catch(e => ({error: String(e)}))";
        try (Chromium chromium = Chromium.start()) {
            Chromium.Tab allowed = chromium.open();
            allowed.navigate("http://app.localhost:" + pagePort + "/");
            JsonNode result = allowed.evaluate(fetch);
            assertEquals(206, result.path("status").asInt(), result.toString());
            assertEquals("\"c0ffee\"", result.path("etag").asText(), result.toString());
            assertEquals("bytes 0-9/" + content.length, result.path("range").asText(), result.toString());
            assertTrue(result.path("disposition").asText().startsWith("inline"), result.toString());
            assertEquals("0123456789", result.path("body").asText());
            // the browser asked first: a preflight for Authorization and Range, answered 204
            assertTrue(allowed.exchanges().stream().anyMatch(e -> e.status() == 204 && e.url().equals(url)),
                    Chromium.describe(allowed.exchanges()));

            Chromium.Tab refused = chromium.open();
            refused.navigate("http://evil.localhost:" + pagePort + "/");
            JsonNode blocked = refused.evaluate(fetch);
            assertTrue(blocked.path("error").asText().contains("TypeError"), blocked.toString());
            assertTrue(blocked.path("etag").isMissingNode(), "the script learns nothing");
        } finally {
            files.stop();
            pages.stop(0);
        }
    }
}
