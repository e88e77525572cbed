package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.FileId;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole path of one request over a real Jetty, a real Unix-socket backend and a real tree:
 * configured from init-params as web.xml would, checked on the bytes that cross the wire.
 */
class KeyholeFilterTest {

    static final String ID = "abcdef0123456789abcdef0123456789";
    static final String OTHER_ID = "0123456789abcdef0123456789abcdef";
    static final long UPLOADED = 1_700_000_000L;

    @TempDir
    static Path dir;
    static Path root;
    static byte[] content;
    static JsonSocketServer backend;
    static JettyHarness jetty;
    static final List<AuthRequest> asked = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(dir.resolve("tree"));
        HashedTree tree = new HashedTree(root, 4);
        content = new byte[100_000];
        new Random(42).nextBytes(content);
        Path file = tree.pathOf(FileId.parse(ID));
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Path other = tree.pathOf(FileId.parse(OTHER_ID));
        Files.createDirectories(other.getParent());
        Files.writeString(other, "not for you");

        backend = JsonSocketServer.start(dir.resolve("auth.sock"), request -> {
            asked.add(request);
            if (!"alice".equals(request.authValue())) {
                return AuthResponse.ofStatus(403);
            }
            return new AuthResponse(200, "Zpráva č. 1.pdf", "application/pdf", "attachment",
                    "\"v1\"", (long) content.length, UPLOADED, null);
        });
        jetty = JettyHarness.start(Map.of(
                "fs-root", root.toString(),
                "fs-depth", "4",
                "mount", "/files/",
                "unix-socket", backend.socket().toString(),
                "jwt-key", new String(Tokens.KEY, StandardCharsets.UTF_8),
                "jwt-field", "uid"));
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.close();
        backend.close();
    }

    @BeforeEach
    void forget() {
        asked.clear();
    }

    static RawHttp.Response get(String target, String... headers) throws IOException {
        return RawHttp.request(jetty.port(), "GET", target, headers);
    }

    static String alice() {
        return "Authorization: Bearer " + Tokens.valid("alice");
    }

    @Test
    void ownerGetsExactBytesAndTheBackendsMetadata() throws IOException {
        RawHttp.Response r = get("/files/" + ID, alice());
        assertEquals(200, r.status());
        assertArrayEquals(content, r.body());
        assertEquals(Integer.toString(content.length), r.header("Content-Length"));
        assertEquals("application/pdf", r.header("Content-Type"));
        assertEquals("attachment; filename=\"Zpr_va _. 1.pdf\"; filename*=UTF-8''Zpr%C3%A1va%20%C4%8D.%201.pdf",
                r.header("Content-Disposition"));
        assertEquals("\"v1\"", r.header("ETag"));
        assertEquals("Tue, 14 Nov 2023 22:13:20 GMT", r.header("Last-Modified"));
        assertEquals("bytes", r.header("Accept-Ranges"));
        assertEquals("private", r.header("Cache-Control"));
        assertEquals("nosniff", r.header("X-Content-Type-Options"));
    }

    @Test
    void headAnswersLikeGetWithoutBody() throws IOException {
        RawHttp.Response g = get("/files/" + ID, alice());
        RawHttp.Response h = RawHttp.request(jetty.port(), "HEAD", "/files/" + ID, alice());
        assertEquals(200, h.status());
        assertEquals(0, h.body().length);
        for (String name : List.of("Content-Length", "Content-Type", "Content-Disposition", "ETag",
                "Last-Modified", "Accept-Ranges", "Cache-Control")) {
            assertEquals(g.header(name), h.header(name), name);
        }
    }

    @Test
    void singleRangeGives206WithThoseBytes() throws IOException {
        RawHttp.Response r = get("/files/" + ID, alice(), "Range: bytes=100-199");
        assertEquals(206, r.status());
        assertEquals("bytes 100-199/" + content.length, r.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(content, 100, 200), r.body());
    }

    @Test
    void suffixRangeGivesTheTail() throws IOException {
        RawHttp.Response r = get("/files/" + ID, alice(), "Range: bytes=-10");
        assertEquals(206, r.status());
        assertArrayEquals(Arrays.copyOfRange(content, content.length - 10, content.length), r.body());
    }

    @Test
    void multipleRangesGiveMultipartByteranges() throws IOException {
        RawHttp.Response r = get("/files/" + ID, alice(), "Range: bytes=0-9, 5000-5099, -5");
        assertEquals(206, r.status());
        String type = r.header("Content-Type");
        assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
        String boundary = type.substring(type.indexOf("boundary=") + "boundary=".length());
        assertEquals(Integer.toString(r.body().length), r.header("Content-Length"));
        List<byte[]> parts = MultipartReader.parts(r.body(), boundary, "application/pdf", content.length);
        assertEquals(3, parts.size());
        assertArrayEquals(Arrays.copyOfRange(content, 0, 10), parts.get(0));
        assertArrayEquals(Arrays.copyOfRange(content, 5000, 5100), parts.get(1));
        assertArrayEquals(Arrays.copyOfRange(content, content.length - 5, content.length), parts.get(2));
    }

    @Test
    void ifNoneMatchGives304() throws IOException {
        RawHttp.Response r = get("/files/" + ID, alice(), "If-None-Match: \"v0\", \"v1\"");
        assertEquals(304, r.status());
        assertEquals(0, r.body().length);
        assertEquals("\"v1\"", r.header("ETag"));
    }

    @Test
    void ifModifiedSinceGives304() throws IOException {
        RawHttp.Response r = get("/files/" + ID, alice(), "If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT");
        assertEquals(304, r.status());
        RawHttp.Response older = get("/files/" + ID, alice(), "If-Modified-Since: Tue, 14 Nov 2023 22:13:19 GMT");
        assertEquals(200, older.status());
    }

    @Test
    void ifMatchMismatchGives412() throws IOException {
        RawHttp.Response r = get("/files/" + ID, alice(), "If-Match: \"v0\"");
        assertEquals(412, r.status());
        assertFalse(r.text().contains(new String(content, 0, 16, StandardCharsets.ISO_8859_1)));
    }

    @Test
    void unsatisfiableRangeGives416() throws IOException {
        RawHttp.Response r = get("/files/" + ID, alice(), "Range: bytes=200000-");
        assertEquals(416, r.status());
        assertEquals("bytes */" + content.length, r.header("Content-Range"));
    }

    @Test
    void missingTokenGives401WithChallenge() throws IOException {
        RawHttp.Response r = get("/files/" + ID);
        assertEquals(401, r.status());
        assertEquals("Bearer", r.header("WWW-Authenticate"));
        assertEquals("no-store", r.header("Cache-Control"));
        assertTrue(asked.isEmpty(), "the backend must not be asked without a credential");
    }

    @Test
    void expiredTokenGives401() throws IOException {
        String expired = Tokens.hs256(Tokens.KEY, "alice", Instant.now().minusSeconds(3600));
        RawHttp.Response r = get("/files/" + ID, "Authorization: Bearer " + expired);
        assertEquals(401, r.status());
        assertEquals("Bearer error=\"invalid_token\"", r.header("WWW-Authenticate"));
        assertFalse(r.text().contains(expired), "the token must not be echoed");
        assertTrue(asked.isEmpty());
    }

    @Test
    void badlySignedTokenGives401() throws IOException {
        String forged = Tokens.hs256(Tokens.OTHER_KEY, "alice", Instant.now().plusSeconds(3600));
        assertEquals(401, get("/files/" + ID, "Authorization: Bearer " + forged).status());
        assertTrue(asked.isEmpty());
    }

    @Test
    void unsecuredTokenGives401() throws IOException {
        assertEquals(401, get("/files/" + ID, "Authorization: Bearer " + Tokens.none("alice")).status());
        assertTrue(asked.isEmpty());
    }

    @Test
    void backendDenialIsRelayed() throws IOException {
        RawHttp.Response r = get("/files/" + OTHER_ID, "Authorization: Bearer " + Tokens.valid("bob"));
        assertEquals(403, r.status());
        assertEquals("no-store", r.header("Cache-Control"));
        assertFalse(r.text().contains("not for you"));
    }

    @Test
    void backendIsAskedWithTheSeedFields() throws IOException {
        get("/files/" + ID, alice(), "Cookie: session=s1");
        assertEquals(1, asked.size());
        AuthRequest q = asked.get(0);
        assertEquals("/files/" + ID, q.uri());
        assertEquals("alice", q.authValue());
        assertNull(q.headers(), "json-extended is off: no headers are sent");
        assertNull(q.cookies(), "json-extended is off: no cookies are sent");
    }

    /**
     * Spellings that Jetty decodes and normalises to {@code /files/<ID>}: the filter reads the path
     * Jetty mapped, so these are that id, asked about and served like it (until the routing fix
     * they were refused as non-ids, while a servlet behind the filter would have been given them).
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "/files/../files/" + ID,
        "/files/%61bcdef0123456789abcdef0123456789",
        "/fil%65s/" + ID,
        "/files;x/" + ID,
        "/files/" + ID + ";jsessionid=1",
    })
    void spellingsOfAnIdAreThatId(String target) throws IOException {
        RawHttp.Response r = get(target, alice());
        assertEquals(200, r.status(), target + ": " + r.text());
        assertArrayEquals(content, r.body());
        assertEquals(1, asked.size());
        assertEquals("/files/" + ID, asked.get(0).uri(), "the backend hears the path as mapped");
    }

    /** Ids that are not ids never reach the backend, let alone the disk. */
    @ParameterizedTest
    @ValueSource(strings = {
        "/files/..%2Ffiles%2F" + ID,
        "/files/%2e%2e/" + ID,
        "/files/%2561bcdef0123456789abcdef0123456789",
        "/files/ABCDEF0123456789ABCDEF0123456789",
        "/files",
        "/files/a/b/c/d/" + ID,
        "/files/",
        "/files/abc",
        "/files/" + ID + "/",
        "/files/" + ID + ".",
        "/files/.." + ID,
    })
    void nonIdsGive404WithoutAsking(String target) throws IOException {
        RawHttp.Response r = get(target, alice());
        assertEquals(404, r.status(), target + ": " + r.text());
        assertTrue(asked.isEmpty(), "backend asked for " + target);
        assertFalse(r.text().contains(new String(content, 0, 16, StandardCharsets.ISO_8859_1)));
    }

    /**
     * Jetty's request parser refuses an encoded NUL with 400 before any handler runs, whatever the
     * URI compliance; either way the backend is never asked and nothing is read.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/files/" + ID + "%00", "/files/%00" + ID})
    void encodedNulNeverReachesTheBackend(String target) throws IOException {
        RawHttp.Response r = get(target, alice());
        assertTrue(r.status() == 400 || r.status() == 404, target + " gave " + r.status());
        assertTrue(asked.isEmpty(), "backend asked for " + target);
        assertFalse(r.text().contains(new String(content, 0, 16, StandardCharsets.ISO_8859_1)));
    }

    @Test
    void requestsOutsideTheMountGoDownTheChain() throws IOException {
        RawHttp.Response r = get("/elsewhere/" + ID, alice());
        assertEquals(404, r.status());
        assertTrue(asked.isEmpty());
    }

    @Test
    void otherMethodsGive405() throws IOException {
        RawHttp.Response r = RawHttp.request(jetty.port(), "DELETE", "/files/" + ID, alice());
        assertEquals(405, r.status());
        assertEquals("GET, HEAD", r.header("Allow"));
        assertTrue(asked.isEmpty());
    }

    @Test
    void grantedButMissingFileGives404() throws IOException {
        RawHttp.Response r = get("/files/" + "9".repeat(32), alice());
        assertEquals(404, r.status());
        assertEquals(1, asked.size());
    }

    @Test
    void symlinkOutOfTheRootGives404() throws IOException {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "outside the tree");
        String id = "5".repeat(32);
        Path link = new HashedTree(root, 4).pathOf(FileId.parse(id));
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, secret);
        RawHttp.Response r = get("/files/" + id, alice());
        assertEquals(404, r.status());
        assertFalse(r.text().contains("outside the tree"));
    }

    @Test
    void symlinkInsideTheRootGives404Too() throws IOException {
        // Links below the root are not followed at all, even when they stay inside (they once were).
        String id = "6".repeat(32);
        Path link = new HashedTree(root, 4).pathOf(FileId.parse(id));
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, new HashedTree(root, 4).pathOf(FileId.parse(ID)));
        RawHttp.Response r = get("/files/" + id, alice());
        assertEquals(404, r.status());
        assertFalse(Arrays.equals(content, r.body()));
    }
}
