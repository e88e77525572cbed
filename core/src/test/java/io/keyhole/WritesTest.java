package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.AuthorizationException.Kind;
import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.testing.LogCapture;
import io.keyhole.testing.RecordingFileSystem;
import io.keyhole.testing.TestRequest;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.FileIds;
import io.keyhole.tree.HashedTree;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Uploads and deletes decided by the core alone, with an in-process authoriser and a real tree. */
class WritesTest {

    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    static final Instant NOW = Instant.parse("2026-11-22T10:00:00.123Z");
    static final String BOUNDARY = "form-boundary-1";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;
    final List<AuthRequest> asked = new CopyOnWriteArrayList<>();
    Function<AuthRequest, AuthResponse> answers = q -> AuthResponse.ofStatus(200);
    byte[] content;

    @BeforeEach
    void content() {
        content = new byte[70_000];
        new Random(11).nextBytes(content);
    }

    /** Uploads on, a JWT with claim uid, the default matrices. */
    KeyholeConfig.Builder writable() {
        return KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/").readOnly(false)
                .jwtKey(KEY).jwtField("uid").instanceId("test-1")
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .authorizer(q -> {
                    asked.add(q);
                    try {
                        return answers.apply(q);
                    } catch (Failing f) {
                        throw f.failure;
                    }
                });
    }

    Delivery decide(KeyholeConfig.Builder config, TestRequest request) {
        return new Keyhole(config.build()).decide(request);
    }

    /** Thrown by an answer function to make the authoriser fail. */
    static final class Failing extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final AuthorizationException failure;

        Failing(Kind kind) {
            super(null, null, false, false);
            this.failure = new AuthorizationException(kind, "test backend", 1, "as the test wants");
        }
    }

    static String token(String uid) {
        return Tokens.hs256(KEY, uid, NOW.plusSeconds(600));
    }

    /** A request below the context {@code /app}; {@code body} {@code null} means reading it fails the test. */
    static TestRequest request(String method, String path, List<NameValue> headers, InputStream body) {
        return new TestRequest(method, path, null, headers, List.of(), "/app", body);
    }

    static TestRequest request(String method, String path, String user, String contentType, byte[] body) {
        List<NameValue> headers = new ArrayList<>();
        if (user != null) {
            headers.add(new NameValue("Authorization", "Bearer " + token(user)));
        }
        if (contentType != null) {
            headers.add(new NameValue("Content-Type", contentType));
        }
        if (body != null) {
            headers.add(new NameValue("Content-Length", Integer.toString(body.length)));
        }
        return request(method, path, headers, body == null ? null : new ByteArrayInputStream(body));
    }

    static TestRequest upload(String user, byte[] body) {
        return request("POST", "/files/", user, "multipart/form-data; boundary=" + BOUNDARY, body);
    }

    /** A multipart body: name/value pairs, a {@code byte[]} value becomes a file part named {@code name.bin}. */
    static byte[] form(Object... nameValues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < nameValues.length; i += 2) {
            String name = (String) nameValues[i];
            Object value = nameValues[i + 1];
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                    + (value instanceof byte[] ? "; filename=\"" + name + ".bin\"\r\nContent-Type: application/x-test" : "")
                    + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(value instanceof byte[] b ? b : ((String) value).getBytes(StandardCharsets.UTF_8));
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    List<Path> filesInTree() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    static JsonNode json(Delivery d) throws IOException {
        return JSON.readTree(((Delivery.Reply) d).message());
    }

    // ---- the switch ---------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"POST", "DELETE"})
    void readOnlyRefusesWritesWithoutReadingAnything(String method) {
        Delivery d = decide(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/").authorizer(q -> {
            throw new AssertionError("asked");
        }), request(method, method.equals("POST") ? "/files/" : "/files/abcdef0123456789", List.of(), null));
        assertEquals(405, d.status());
        assertEquals("GET, HEAD", d.header("Allow"));
    }

    @Test
    void otherMethodsListWhatTheMountTakes() {
        TestRequest put = request("PATCH", "/files/abcdef0123456789", List.of(), null);
        assertEquals("GET, HEAD, POST, PUT, DELETE", decide(writable(), put).header("Allow"));
        assertEquals("GET, HEAD", decide(KeyholeConfig.builder().fsRoot(root).authorizer(q -> null), put).header("Allow"));
    }

    static Stream<Arguments> routes() {
        return Stream.of(
                // uploads go to the mount itself
                Arguments.of("POST", "/files/abcdef0123456789", 405),
                Arguments.of("POST", "/files/nothex", 404),
                Arguments.of("POST", "/files/sub/", 404),
                // deletes name one file
                Arguments.of("DELETE", "/files/", 404),
                Arguments.of("DELETE", "/files/nothex", 404),
                Arguments.of("DELETE", "/files/a", 404),
                Arguments.of("DELETE", "/files/../abcdef0123456789", 404));
    }

    @ParameterizedTest(name = "{0} {1} → {2}")
    @MethodSource("routes")
    void routing(String method, String path, int status) {
        Delivery d = decide(writable(), request(method, path, List.of(
                new NameValue("Authorization", "Bearer " + token("alice"))), null));
        assertEquals(status, d.status());
        assertTrue(asked.isEmpty());
        if (status == 405) {
            assertEquals("GET, HEAD, PUT, DELETE", d.header("Allow"));
        }
    }

    // ---- credentials --------------------------------------------------------------------------

    @Test
    void noTokenIsRefusedBeforeTheBodyIsRead() {
        Delivery d = decide(writable(), request("POST", "/files/", List.of(
                new NameValue("Content-Type", "multipart/form-data; boundary=x")), null));
        assertEquals(401, d.status());
        assertEquals("Bearer", d.header("WWW-Authenticate"));
    }

    @Test
    void aForgedTokenIsRefusedBeforeTheBodyIsRead() {
        Delivery d = decide(writable(), request("POST", "/files/", List.of(
                new NameValue("Authorization", "Bearer " + token("alice") + "x")), null));
        assertEquals(401, d.status());
    }

    /** Without any credential value the default delete matrix can never allow: no question, no disk. */
    @Test
    void aDeleteThatCanNeverBeAllowedTouchesNothing() throws Exception {
        Path seen = RecordingFileSystem.wrap(root);
        Keyhole keyhole = new Keyhole(KeyholeConfig.builder().fsRoot(seen).fsDepth(2).mount("/files/").readOnly(false)
                .uploadMatrix(AuthMatrix.parse("allow:allow:allow:allow"))
                .authorizer(q -> {
                    throw new AssertionError("asked");
                }).build());
        RecordingFileSystem fs = RecordingFileSystem.of(seen);
        fs.clear();
        Delivery d = keyhole.decide(request("DELETE", "/files/abcdef0123456789", List.of(), null));
        assertEquals(403, d.status());
        assertEquals(List.of(), fs.operations());
    }

    // ---- uploads ------------------------------------------------------------------------------

    @Test
    void anUploadIsStoredRecordedAndAnswered() throws Exception {
        Delivery d = decide(writable(), upload("alice", form("n", "Quarterly report.pdf", "cd", "attachment", "d", content)));
        assertEquals(201, d.status(), () -> ((Delivery.Reply) d).message());
        assertEquals("application/json", d.header("Content-Type"));
        assertEquals("no-store", d.header("Cache-Control"));

        JsonNode body = json(d);
        String id = body.get("file_id").asText();
        assertEquals("/app/files/" + id, d.header("Location"));
        assertEquals("Quarterly report.pdf", body.get("filename").asText());
        assertEquals("application/x-test", body.get("content_type").asText());
        assertEquals("attachment", body.get("content_disposition").asText());
        assertEquals(content.length, body.get("length").asLong());
        assertEquals(NOW.getEpochSecond(), body.get("upload_date").asLong());
        assertEquals(32, body.get("etag").asText().length());

        Path stored = new HashedTree(root, 2).pathOf(FileId.parse(id));
        assertArrayEquals(content, Files.readAllBytes(stored));
        assertEquals(List.of(stored), filesInTree());

        AuthRequest q = asked.get(0);
        assertEquals("POST", q.method());
        assertEquals("/files/" + id, q.uri());
        assertEquals(id, q.fileId().value());
        assertEquals("alice", q.authValue());
        StoredMetadata m = q.stored();
        assertEquals(new StoredMetadata(FileId.parse(id), content.length, body.get("etag").asText(), NOW,
                "application/x-test", "Quarterly report.pdf", Disposition.ATTACHMENT), m);
    }

    @Test
    void withoutNameTheFilePartsOwnNameCountsThenFile() throws Exception {
        JsonNode body = json(decide(writable(), upload("alice", form("d", content))));
        assertEquals("d.bin", body.get("filename").asText());

        byte[] noFilename = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"d\"\r\n\r\nhello\r\n--"
                + BOUNDARY + "--").getBytes(StandardCharsets.US_ASCII);
        body = json(decide(writable(), upload("alice", noFilename)));
        assertEquals("file", body.get("filename").asText());
        assertEquals("application/octet-stream", body.get("content_type").asText());
        assertEquals("inline", body.get("content_disposition").asText());
    }

    @Test
    void fieldsAfterTheFileChangeTheRecordedMetadataNotTheId() throws Exception {
        JsonNode body = json(decide(writable(), upload("alice", form("d", content, "n", "b.png", "cd", "attachment"))));
        assertEquals("b.png", body.get("filename").asText());
        // the part's own type stands
        assertEquals("application/x-test", body.get("content_type").asText());
        assertEquals("attachment", body.get("content_disposition").asText());
        assertEquals("b.png", asked.get(0).stored().filename());
        // the id was made from the name known when the file arrived: the part's
        assertEquals(FileIds.of("d.bin", NOW.toEpochMilli(), "alice", "test-1").value(), body.get("file_id").asText());
    }

    @Test
    void withoutAnyTypeTheFinalNameDecides() throws Exception {
        byte[] bare = ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"d\"; filename=\"x.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nhello\r\n--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"n\"\r\n\r\nphoto.png\r\n--" + BOUNDARY + "--")
                .getBytes(StandardCharsets.US_ASCII);
        JsonNode body = json(decide(writable(), upload("alice", bare)));
        assertEquals("photo.png", body.get("filename").asText());
        assertEquals("image/png", body.get("content_type").asText());
    }

    @Test
    void aTypeFieldWinsOverThePartsType() throws Exception {
        JsonNode body = json(decide(writable(), upload("alice", form("ct", "image/png", "d", content))));
        assertEquals("image/png", body.get("content_type").asText());
    }

    @Test
    void urlEncodedFormsCarryTheContentInD() throws Exception {
        String text = "x=1&n=notes.txt&d=" + java.net.URLEncoder.encode("héllo & goodbye", StandardCharsets.UTF_8);
        Delivery d = decide(writable(), request("POST", "/files/", "alice", "application/x-www-form-urlencoded",
                text.getBytes(StandardCharsets.US_ASCII)));
        assertEquals(201, d.status());
        JsonNode body = json(d);
        assertEquals("notes.txt", body.get("filename").asText());
        assertEquals("text/plain", body.get("content_type").asText().split(";")[0]);
        assertEquals("héllo & goodbye", Files.readString(
                new HashedTree(root, 2).pathOf(FileId.parse(body.get("file_id").asText()))));
    }

    @Test
    void otherBodiesAreUnsupported() throws IOException {
        Delivery d = decide(writable(), request("POST", "/files/", "alice", "application/pdf", content));
        assertEquals(415, d.status());
        assertEquals(List.of(), filesInTree());
    }

    // ---- limits -------------------------------------------------------------------------------

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeTheBodyIsRead() throws IOException {
        TestRequest r = request("POST", "/files/", List.of(new NameValue("Authorization", "Bearer " + token("alice")),
                new NameValue("Content-Type", "multipart/form-data; boundary=x"),
                new NameValue("Content-Length", Long.toString((1L << 20) + Writes.FORM_OVERHEAD + 1))), null);
        Delivery d = decide(writable().uploadMaxSize(1L << 20), r);
        assertEquals(413, d.status());
        assertTrue(asked.isEmpty());
        assertEquals(List.of(), filesInTree());
    }

    @Test
    void aFileOverTheLimitIsRefusedAndNothingStays() throws IOException {
        byte[] body = form("d", content);
        // no Content-Length: the body is chunked, so only counting can tell
        TestRequest r = request("POST", "/files/", List.of(new NameValue("Authorization", "Bearer " + token("alice")),
                new NameValue("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)), new ByteArrayInputStream(body));
        Delivery d = decide(writable().uploadMaxSize(content.length - 1), r);
        assertEquals(413, d.status());
        assertTrue(asked.isEmpty());
        assertEquals(List.of(), filesInTree());
    }

    @Test
    void aFileOfExactlyTheLimitIsTaken() {
        assertEquals(201, decide(writable().uploadMaxSize(content.length), upload("alice", form("d", content))).status());
    }

    @Test
    void otherFieldsCannotMakeTheBodyEndless() throws IOException {
        byte[] body = form("junk", "j".repeat((int) Writes.FORM_OVERHEAD + 10), "d", "x");
        TestRequest r = request("POST", "/files/", List.of(new NameValue("Authorization", "Bearer " + token("alice")),
                new NameValue("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)), new ByteArrayInputStream(body));
        assertEquals(413, decide(writable().uploadMaxSize(1), r).status());
        assertEquals(List.of(), filesInTree());
    }

    // ---- bad forms: 400, and nothing stays ----------------------------------------------------

    static Stream<Arguments> badForms() {
        byte[] file = "content".getBytes(StandardCharsets.UTF_8);
        byte[] cut = form("d", file);
        cut = java.util.Arrays.copyOf(cut, cut.length - 12); // the closing delimiter is missing
        return Stream.of(
                Arguments.of("no closing delimiter", cut, "closing delimiter"),
                Arguments.of("no file", form("n", "a.txt"), "the form has no file"),
                Arguments.of("two files", form("d", file, "d", file), "more than one file"),
                Arguments.of("bad type", form("ct", "not a type", "d", file), "field ct"),
                Arguments.of("bad type after the file", form("d", file, "ct", "text"), "field ct"),
                Arguments.of("bad disposition", form("d", file, "cd", "download"), "field cd must be inline or attachment"),
                Arguments.of("name twice", form("n", "a", "d", file, "n", "b"), "field n appears twice"),
                Arguments.of("a leader alone", form("pl", "abcdef0123456789.0", "d", file), "pl and ext go together"),
                Arguments.of("a leader without version", form("pl", "abcdef0123456789", "ext", "jpg", "d", file),
                        "leads a pack"),
                Arguments.of("an extension that is no word", form("pl", "abcdef0123456789.0", "ext", "j-g", "d", file),
                        "pack extension"),
                Arguments.of("an extension too long", form("pl", "abcdef0123456789.0", "ext", "x".repeat(17), "d", file),
                        "longer than 16"),
                Arguments.of("long name", form("n", "n".repeat(Writes.MAX_FIELD_BYTES + 1), "d", file), "longer than 4096"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badForms")
    void badFormsAreRefusedAndLeaveNothing(String rule, byte[] body, String message) throws IOException {
        Delivery d = decide(writable(), upload("alice", body));
        assertEquals(400, d.status());
        assertTrue(((Delivery.Reply) d).message().contains(message), ((Delivery.Reply) d).message());
        assertTrue(asked.isEmpty());
        assertEquals(List.of(), filesInTree());
    }

    @Test
    void aBrokenConnectionLeavesNothing() throws IOException {
        byte[] head = form("d", content);
        InputStream breaking = new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                if (pos == 40_000) {
                    throw new IOException("connection reset");
                }
                return head[pos++] & 0xff;
            }
        };
        Delivery d = decide(writable(), request("POST", "/files/", List.of(
                new NameValue("Authorization", "Bearer " + token("alice")),
                new NameValue("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)), breaking));
        assertEquals(400, d.status());
        assertEquals(List.of(), filesInTree());
    }

    // ---- the backend's answer -----------------------------------------------------------------

    static final AuthResponse METADATA = new AuthResponse(null, "a", null, null, null, null, null, null);

    static Stream<Arguments> uploadAnswers() {
        return Stream.of(
                Arguments.of("200", AuthResponse.ofStatus(200), 201),
                Arguments.of("201", AuthResponse.ofStatus(201), 201),
                Arguments.of("no status, metadata", METADATA, 201),
                // matrix-upload allow:allow:deny:deny: a credential suffices
                Arguments.of("no status, empty", AuthResponse.EMPTY, 201),
                Arguments.of("403", AuthResponse.ofStatus(403), 403),
                Arguments.of("404", AuthResponse.ofStatus(404), 404),
                Arguments.of("507", AuthResponse.ofStatus(507), 507),
                Arguments.of("204 is no answer to an upload", AuthResponse.ofStatus(204), 502),
                Arguments.of("302", AuthResponse.ofStatus(302), 502));
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource("uploadAnswers")
    void theBackendsAnswerToAnUpload(String rule, AuthResponse answer, int status) throws IOException {
        answers = q -> answer;
        Delivery d = decide(writable(), upload("alice", form("d", content)));
        assertEquals(status, d.status());
        assertEquals(status == 201 ? 1 : 0, filesInTree().size(), "a refused upload is taken out again");
    }

    @Test
    void theUploadMatrixDecidesAnswersWithoutStatus() throws IOException {
        answers = q -> AuthResponse.EMPTY;
        assertEquals(403, decide(writable().uploadMatrix(AuthMatrix.parse("allow:deny:deny:deny")),
                upload("alice", form("d", content))).status());
        assertEquals(List.of(), filesInTree());
    }

    @Test
    void anAnswerForSomeoneElseCountsAsEmpty() throws IOException {
        answers = q -> new AuthResponse(null, "a", null, null, null, null, null, null, "bob");
        assertEquals(403, decide(writable().uploadMatrix(AuthMatrix.parse("allow:deny:deny:deny")),
                upload("alice", form("d", content))).status());
        assertEquals(List.of(), filesInTree());
    }

    static Stream<Arguments> failures() {
        return Stream.of(Arguments.of(Kind.UNAVAILABLE, 503), Arguments.of(Kind.TIMEOUT, 504),
                Arguments.of(Kind.BAD_ANSWER, 502));
    }

    /**
     * A backend that took the question and did not answer in time may have recorded the upload
     * all the same (a commit, then the timeout): the file stays, so that a recorded id always has
     * its file, and the log names it. A backend that was not reached or answered that it failed
     * recorded nothing: the file goes.
     */
    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("failures")
    void aFailingBackendLeavesTheFileOnlyAfterATimeout(Kind kind, int status) throws IOException {
        answers = q -> {
            throw new Failing(kind);
        };
        try (LogCapture log = LogCapture.start()) {
            assertEquals(status, decide(writable(), upload("alice", form("d", content))).status());
            assertEquals(1, asked.size());
            String id = asked.get(0).fileId().value();
            if (kind == Kind.TIMEOUT) {
                assertEquals(1, filesInTree().size());
                assertEquals(1, log.containing("keyhole rm " + id).size(), log.lines().toString());
            } else {
                assertEquals(List.of(), filesInTree());
            }
        }
    }

    @Test
    void anAuthoriserThatThrowsGetsNoFileKept() throws IOException {
        answers = q -> {
            throw new IllegalStateException("bug");
        };
        assertEquals(502, decide(writable(), upload("alice", form("d", content))).status());
        assertEquals(List.of(), filesInTree());
    }

    // ---- deletes ------------------------------------------------------------------------------

    String stored() throws IOException {
        Delivery d = decide(writable(), upload("alice", form("d", content)));
        asked.clear();
        return json(d).get("file_id").asText();
    }

    static Stream<Arguments> deleteAnswers() {
        return Stream.of(
                Arguments.of("200", AuthResponse.ofStatus(200), 204),
                Arguments.of("204", AuthResponse.ofStatus(204), 204),
                Arguments.of("no status, metadata", METADATA, 204),
                // matrix-delete allow:deny:deny:deny: a credential alone is not enough
                Arguments.of("no status, empty", AuthResponse.EMPTY, 403),
                Arguments.of("403", AuthResponse.ofStatus(403), 403),
                Arguments.of("404", AuthResponse.ofStatus(404), 404),
                Arguments.of("201 is no answer to a delete", AuthResponse.ofStatus(201), 502));
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource("deleteAnswers")
    void theBackendsAnswerToADelete(String rule, AuthResponse answer, int status) throws IOException {
        String id = stored();
        answers = q -> answer;
        Delivery d = decide(writable(), request("DELETE", "/files/" + id, "alice", null, null));
        assertEquals(status, d.status());
        assertEquals(status == 204 ? 0 : 1, filesInTree().size());
        AuthRequest q = asked.get(0);
        assertEquals("DELETE", q.method());
        assertEquals("/files/" + id, q.uri());
        assertEquals("alice", q.authValue());
        assertNull(q.stored());
    }

    @Test
    void deletingAFileThatIsNotThereIs404() {
        Delivery d = decide(writable(), request("DELETE", "/files/abcdef0123456789", "alice", null, null));
        assertEquals(404, d.status());
        assertEquals(1, asked.size());
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("failures")
    void aFailingBackendKeepsTheFile(Kind kind, int status) throws IOException {
        String id = stored();
        answers = q -> {
            throw new Failing(kind);
        };
        assertEquals(status, decide(writable(), request("DELETE", "/files/" + id, "alice", null, null)).status());
        assertEquals(1, filesInTree().size());
    }

    @Test
    void theMatrixCanAllowAnonymousWrites() throws IOException {
        KeyholeConfig.Builder anonymous = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .readOnly(false).uploadMatrix(AuthMatrix.parse("deny:deny:allow:deny"))
                .deleteMatrix(AuthMatrix.parse("deny:deny:allow:deny")).authorizer(q -> {
                    asked.add(q);
                    return METADATA;
                });
        Delivery up = decide(anonymous, request("POST", "/files/", null, "multipart/form-data; boundary=" + BOUNDARY,
                form("d", content)));
        assertEquals(201, up.status());
        assertNull(asked.get(0).authValue());
        String id = json(up).get("file_id").asText();
        assertNotNull(id);
        assertEquals(204, decide(anonymous, request("DELETE", "/files/" + id, null, null, null)).status());
        assertEquals(List.of(), filesInTree());
        assertInstanceOf(Delivery.Reply.class, up);
    }
}
