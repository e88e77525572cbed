package io.keyhole.servlet;

import static io.keyhole.servlet.UploadHttp.form;
import static io.keyhole.servlet.UploadHttp.post;
import static io.keyhole.servlet.UploadHttp.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.StoredMetadata;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.http.HttpDate;
import io.keyhole.observe.Outcome;
import io.keyhole.testing.FakeBackend;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.RecordingListener;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Uploads and deletes over HTTP through a real Jetty, a real Unix-socket backend that keeps who
 * owns which file, and a real tree; every answer checked on the bytes that cross the wire.
 */
class UploadTest {

    static final long LIMIT = 256 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path root;
    static JsonSocketServer backend;
    static JettyHarness jetty;
    static final List<AuthRequest> asked = new CopyOnWriteArrayList<>();
    /** The backend's table: file id → owner and metadata. */
    static final Map<String, Owned> owned = new ConcurrentHashMap<>();

    record Owned(String owner, StoredMetadata metadata) {
    }

    byte[] content;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(dir.resolve("tree"));
        new HashedTree(root, 2).create();
        backend = JsonSocketServer.start(dir.resolve("auth.sock"), UploadTest::answer);
        jetty = JettyHarness.start(settings(backend.socket(), "read-only", "no", "upload-max-size", "256k"));
    }

    static Map<String, String> settings(Path socket, String... more) {
        Map<String, String> p = new HashMap<>(Map.of(
                "fs-root", root.toString(),
                "fs-depth", "2",
                "mount", "/files/",
                "unix-socket", socket.toString(),
                "jwt-key", new String(Tokens.KEY, StandardCharsets.UTF_8),
                "jwt-field", "uid"));
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return p;
    }

    /** A backend as an application would write one: uploads by anyone but mallory, each file for its owner only. */
    static AuthResponse answer(AuthRequest q) {
        asked.add(q);
        String id = q.fileId().value();
        String who = q.authValue();
        Owned file = owned.get(id);
        switch (q.method()) {
            case "POST" -> {
                if ("mallory".equals(who)) {
                    return AuthResponse.ofStatus(403);
                }
                owned.put(id, new Owned(who, q.stored()));
                // no status: matrix-upload allows a request with a credential
                return AuthResponse.EMPTY;
            }
            case "DELETE" -> {
                if (file == null) {
                    return AuthResponse.ofStatus(404);
                }
                if (!file.owner().equals(who)) {
                    return AuthResponse.ofStatus(403);
                }
                owned.remove(id);
                return AuthResponse.ofStatus(200);
            }
            default -> {
                if ("mallory".equals(who)) {
                    return AuthResponse.ofStatus(403);
                }
                if (file == null || !file.owner().equals(who)) {
                    return AuthResponse.ofStatus(404);
                }
                StoredMetadata m = file.metadata();
                return new AuthResponse(200, m.filename(), m.contentType(), m.disposition().wireValue(), m.etag(),
                        m.size(), m.uploadDateSeconds(), null);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.close();
        backend.close();
    }

    @BeforeEach
    void fresh() {
        asked.clear();
        content = new byte[200_000];
        new Random(System.nanoTime()).nextBytes(content);
    }

    static String bearer(String user) {
        return "Authorization: Bearer " + Tokens.valid(user);
    }

    static JsonNode json(RawHttp.Response r) throws IOException {
        return JSON.readTree(r.body());
    }

    Path fileOf(String id) {
        return new HashedTree(root, 2).pathOf(FileId.parse(id));
    }

    // ---- round trip ---------------------------------------------------------------------------

    @Test
    void uploadThenDownloadGivesTheSameBytesAndMetadata() throws Exception {
        RawHttp.Response up = post(jetty.port(), "/files/", form("n", "Zpráva č. 1.pdf", "cd", "attachment", "d", content),
                bearer("alice"));
        assertEquals(201, up.status(), up.text());
        assertEquals("application/json", up.header("Content-Type"));
        assertEquals("no-store", up.header("Cache-Control"));
        JsonNode body = json(up);
        String id = body.get("file_id").asText();
        assertEquals("/files/" + id, up.header("Location"));
        assertEquals("Zpráva č. 1.pdf", body.get("filename").asText());
        assertEquals("application/pdf", body.get("content_type").asText());
        assertEquals("attachment", body.get("content_disposition").asText());
        assertEquals(content.length, body.get("length").asLong());
        assertArrayEquals(content, Files.readAllBytes(fileOf(id)));

        // what the backend was told is what the client was told
        AuthRequest q = asked.get(0);
        assertEquals("POST", q.method());
        assertEquals("alice", q.authValue());
        assertEquals(body.get("etag").asText(), q.stored().etag());
        assertEquals(body.get("upload_date").asLong(), q.stored().uploadDateSeconds());

        RawHttp.Response down = RawHttp.request(jetty.port(), "GET", up.header("Location"), bearer("alice"));
        assertEquals(200, down.status());
        assertArrayEquals(content, down.body());
        assertEquals("application/pdf", down.header("Content-Type"));
        assertEquals(Integer.toString(content.length), down.header("Content-Length"));
        assertEquals("\"" + body.get("etag").asText() + "\"", down.header("ETag"));
        assertEquals(HttpDate.format(Instant.ofEpochSecond(body.get("upload_date").asLong())), down.header("Last-Modified"));
        assertEquals("attachment; filename=\"Zpr_va _. 1.pdf\"; filename*=UTF-8''Zpr%C3%A1va%20%C4%8D.%201.pdf",
                down.header("Content-Disposition"));

        // the content's ETag makes the next GET a 304
        assertEquals(304, RawHttp.request(jetty.port(), "GET", up.header("Location"), bearer("alice"),
                "If-None-Match: " + down.header("ETag")).status());
    }

    @Test
    void anotherUserGetsWhatTheBackendSays() throws Exception {
        String id = json(post(jetty.port(), "/files/", form("d", content), bearer("alice"))).get("file_id").asText();
        assertEquals(404, RawHttp.request(jetty.port(), "GET", "/files/" + id, bearer("bob")).status());
        assertEquals(403, RawHttp.request(jetty.port(), "GET", "/files/" + id, bearer("mallory")).status());
        assertEquals(401, RawHttp.request(jetty.port(), "GET", "/files/" + id).status());
    }

    @Test
    void anUploadTheBackendRefusesIs403AndLeavesNothing() throws Exception {
        List<Path> before = snapshot(root);
        RawHttp.Response r = post(jetty.port(), "/files/", form("d", content), bearer("mallory"));
        assertEquals(403, r.status());
        assertEquals("no-store", r.header("Cache-Control"));
        assertEquals(1, asked.size(), "the backend was asked, with the stored metadata");
        assertEquals(before, snapshot(root));
    }

    @Test
    void withoutACredentialNothingIsRead() throws Exception {
        List<Path> before = snapshot(root);
        RawHttp.Response r = post(jetty.port(), "/files/", form("d", content));
        assertEquals(401, r.status());
        assertEquals("Bearer", r.header("WWW-Authenticate"));
        assertTrue(asked.isEmpty());
        assertEquals(before, snapshot(root));
    }

    // ---- limits -------------------------------------------------------------------------------

    @Test
    void aDeclaredOversizeBodyIs413BeforeItIsSent() throws Exception {
        List<Path> before = snapshot(root);
        // The client waits for 100 Continue, which never comes: the 413 answers the headers alone.
        RawHttp.Response r = RawHttp.request(jetty.port(), "POST", "/files/", bearer("alice"),
                "Content-Type: multipart/form-data; boundary=" + UploadHttp.BOUNDARY,
                "Content-Length: " + (10L << 20), "Expect: 100-continue");
        assertEquals(413, r.status());
        assertTrue(r.text().contains("262144 bytes"), r.text());
        assertTrue(asked.isEmpty());
        assertEquals(before, snapshot(root));
    }

    @ParameterizedTest(name = "chunked: {0}")
    @ValueSource(booleans = {false, true})
    void aFileOverTheLimitIs413AndLeavesNothing(boolean chunked) throws Exception {
        List<Path> before = snapshot(root);
        byte[] big = new byte[(int) LIMIT + 1];
        RawHttp.Response r = UploadHttp.send(jetty.port(), "POST", "/files/",
                "multipart/form-data; boundary=" + UploadHttp.BOUNDARY, form("d", big), chunked, bearer("alice"));
        assertEquals(413, r.status());
        assertTrue(asked.isEmpty());
        assertEquals(before, snapshot(root));
    }

    @Test
    void aFileOfExactlyTheLimitIsTaken() throws Exception {
        byte[] exact = new byte[(int) LIMIT];
        RawHttp.Response r = UploadHttp.send(jetty.port(), "POST", "/files/",
                "multipart/form-data; boundary=" + UploadHttp.BOUNDARY, form("d", exact), true, bearer("alice"));
        assertEquals(201, r.status());
        assertEquals(LIMIT, Files.size(fileOf(json(r).get("file_id").asText())));
    }

    // ---- bad bodies ---------------------------------------------------------------------------

    @Test
    void aMalformedFormIs400AndLeavesNothing() throws Exception {
        List<Path> before = snapshot(root);
        byte[] whole = form("d", content);
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - UploadHttp.BOUNDARY.length() - 8);
        RawHttp.Response r = post(jetty.port(), "/files/", cut, bearer("alice"));
        assertEquals(400, r.status());
        assertTrue(r.text().contains("closing delimiter"), r.text());
        assertEquals("text/plain;charset=utf-8", r.header("Content-Type"));
        assertTrue(asked.isEmpty());
        assertEquals(before, snapshot(root));
    }

    @Test
    void aUrlEncodedFormWorksToo() throws Exception {
        String text = "n=hello.txt&d=" + java.net.URLEncoder.encode("Hello, world! & more", StandardCharsets.UTF_8);
        RawHttp.Response r = UploadHttp.send(jetty.port(), "POST", "/files/", "application/x-www-form-urlencoded",
                text.getBytes(StandardCharsets.US_ASCII), false, bearer("alice"));
        assertEquals(201, r.status(), r.text());
        String id = json(r).get("file_id").asText();
        RawHttp.Response down = RawHttp.request(jetty.port(), "GET", "/files/" + id, bearer("alice"));
        assertEquals("Hello, world! & more", down.text());
        assertTrue(down.header("Content-Type").startsWith("text/plain"), down.header("Content-Type"));
    }

    // ---- deletes ------------------------------------------------------------------------------

    @Test
    void theOwnerDeletesAnotherUserCannot() throws Exception {
        String id = json(post(jetty.port(), "/files/", form("d", content), bearer("alice"))).get("file_id").asText();

        RawHttp.Response bob = RawHttp.request(jetty.port(), "DELETE", "/files/" + id, bearer("bob"));
        assertEquals(403, bob.status());
        assertArrayEquals(content, Files.readAllBytes(fileOf(id)));

        RawHttp.Response alice = RawHttp.request(jetty.port(), "DELETE", "/files/" + id, bearer("alice"));
        assertEquals(204, alice.status());
        assertEquals(0, alice.body().length);
        assertFalse(Files.exists(fileOf(id)));
        assertEquals(404, RawHttp.request(jetty.port(), "GET", "/files/" + id, bearer("alice")).status());
        assertEquals(404, RawHttp.request(jetty.port(), "DELETE", "/files/" + id, bearer("alice")).status());
    }

    @Test
    void uploadsAndDeletesAreReportedWithTheirOperation() throws Exception {
        RecordingListener events = new RecordingListener();
        KeyholeConfig config = KeyholeConfig.builder()
                .properties(settings(backend.socket(), "read-only", "no", "upload-max-size", "256k"))
                .listener(events).build();
        try (JettyHarness server = JettyHarness.start(config)) {
            String id = json(post(server.port(), "/files/", form("d", content), bearer("alice"))).get("file_id").asText();
            assertEquals(403, RawHttp.request(server.port(), "DELETE", "/files/" + id, bearer("bob")).status());
            assertEquals(204, RawHttp.request(server.port(), "DELETE", "/files/" + id, bearer("alice")).status());
            assertEquals(403, post(server.port(), "/files/", form("d", content), bearer("mallory")).status());

            record Seen(String method, String operation, String fileId, String authValue, Outcome outcome, int status) {
            }
            List<Seen> seen = events.awaitAnswered(4).stream().map(a -> new Seen(a.method(), a.operation(), a.fileId(),
                    a.authValue(), a.outcome(), a.status())).toList();
            assertEquals(new Seen("POST", "upload", id, "alice", Outcome.GRANTED, 201), seen.get(0));
            assertEquals(new Seen("DELETE", "delete", id, "bob", Outcome.DENIED, 403), seen.get(1));
            assertEquals(new Seen("DELETE", "delete", id, "alice", Outcome.GRANTED, 204), seen.get(2));
            assertEquals("upload", seen.get(3).operation());
            assertEquals(Outcome.DENIED, seen.get(3).outcome());
            assertEquals(4, events.asked().size());
        }
    }

    // ---- the switch ---------------------------------------------------------------------------

    @Test
    void readOnlyAnswers405ToUploadsAndDeletes() throws Exception {
        String id = json(post(jetty.port(), "/files/", form("d", content), bearer("alice"))).get("file_id").asText();
        List<Path> before = snapshot(root);
        try (JettyHarness readOnly = JettyHarness.start(settings(backend.socket()))) {
            RawHttp.Response up = post(readOnly.port(), "/files/", form("d", content), bearer("alice"));
            assertEquals(405, up.status());
            assertEquals("GET, HEAD", up.header("Allow"));
            RawHttp.Response del = RawHttp.request(readOnly.port(), "DELETE", "/files/" + id, bearer("alice"));
            assertEquals(405, del.status());
            assertEquals("GET, HEAD", del.header("Allow"));
            assertEquals(200, RawHttp.request(readOnly.port(), "GET", "/files/" + id, bearer("alice")).status());
        }
        assertEquals(before, snapshot(root));
        assertEquals("GET, HEAD, POST, PUT, DELETE",
                RawHttp.request(jetty.port(), "PATCH", "/files/" + id, bearer("alice"), "Content-Length: 0").header("Allow"));
    }

    // ---- the hand-off fails -------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"close", "garbage", "hang"})
    void aBackendFailingTheHandOffGets5xx(String failure) throws Exception {
        List<Path> before = snapshot(root);
        try (FakeBackend failing = FakeBackend.start(dir.resolve("f-" + failure + ".sock"), json -> switch (failure) {
                    case "close" -> FakeBackend.CLOSE;
                    case "garbage" -> FakeBackend.GARBAGE;
                    default -> FakeBackend.HANG;
                });
             JettyHarness writable = JettyHarness.start(settings(failing.socket(), "read-only", "no",
                     "auth-timeout", "300ms"))) {
            RawHttp.Response r = post(writable.port(), "/files/", form("n", "x.pdf", "d", content), bearer("alice"));
            assertEquals(failure.equals("hang") ? 504 : 502, r.status());
            assertNull(r.header("Location"));
            if (failure.equals("hang")) {
                // too slow: the backend may have recorded it, so the file stays (the log names it)
                assertEquals(before.size() + 1, snapshot(root).size());
            } else {
                assertEquals(before, snapshot(root));
            }
            // the question on the wire: the seed's names plus the method and the metadata
            JsonNode q = JSON.readTree(failing.requests().get(0));
            assertEquals("POST", q.get("http_method").asText());
            assertEquals("alice", q.get("jwt_value").asText());
            assertTrue(q.get("uri").asText().startsWith("/files/"));
            assertEquals("x.pdf", q.get("filename").asText());
            assertEquals(content.length, q.get("length").asLong());
        }
    }
}
