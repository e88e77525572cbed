package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.testing.RecordingFileSystem;
import io.keyhole.testing.TestRequest;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.HashedTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision alone, with an in-process authoriser: what each answer of the backend becomes. */
class KeyholeTest {

    static final String ID = "abcdef0123456789";

    @TempDir
    Path root;
    Path file;
    final AtomicReference<Authorizer> backend = new AtomicReference<>();

    @BeforeEach
    void tree() throws Exception {
        file = new HashedTree(root, 2).pathOf(FileId.parse(ID));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "0123456789");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-01-02T03:04:05.678Z")));
    }

    private Delivery decide(Authorizer authorizer, TestRequest request) {
        Keyhole k = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(2).authorizer(authorizer).build());
        return k.decide(request);
    }

    /**
     * Step 1, on the path the container mapped: below the mount is Keyhole's, and so is the mount
     * without its slash, which a container maps to {@code /files/*} as well; the rest passes on.
     */
    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
        "/files/abcdef0123456789,  200",
        "/files,                   404",
        "/files/,                  404",
        "/files/xyz,               404",
        "/files/abcdef0123456789/, 404",
        "/filesx,                  pass",
        "/files.txt,               pass",
        "/file,                    pass",
        "/FILES/abcdef0123456789,  pass",
        "/,                        pass",
    })
    void routing(String path, String expected) {
        Keyhole k = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(q -> AuthResponse.ofStatus(200)).build());
        Delivery d = k.decide(TestRequest.get(path));
        if (expected.equals("pass")) {
            assertInstanceOf(Delivery.Pass.class, d, path);
        } else {
            assertEquals(Integer.parseInt(expected), d.status(), path);
        }
    }

    static Stream<Arguments> answers() {
        return Stream.of(
                // no status: the authorisation matrix decides (here: no credential → deny by default)
                Arguments.of(AuthResponse.EMPTY, 403),
                Arguments.of(AuthResponse.ofStatus(200), 200),
                Arguments.of(AuthResponse.ofStatus(304), 304),
                Arguments.of(AuthResponse.ofStatus(401), 401),
                Arguments.of(AuthResponse.ofStatus(403), 403),
                Arguments.of(AuthResponse.ofStatus(404), 404),
                Arguments.of(AuthResponse.ofStatus(410), 410),
                Arguments.of(AuthResponse.ofStatus(500), 500),
                // a redirect or informational status is no decision: fail closed
                Arguments.of(AuthResponse.ofStatus(302), 502),
                Arguments.of(AuthResponse.ofStatus(100), 502),
                Arguments.of(AuthResponse.ofStatus(206), 502));
    }

    @ParameterizedTest(name = "backend status {0} → {1}")
    @MethodSource("answers")
    void backendStatusMapping(AuthResponse answer, int expected) {
        assertEquals(expected, decide(q -> answer, TestRequest.get("/" + ID)).status());
    }

    static final AuthResponse METADATA = new AuthResponse(null, "a.txt", null, null, null, null, null, null);
    static final AuthResponse METADATA_FOR_BOB = new AuthResponse(null, "a.txt", null, null, null, null, null, null, "bob");

    static Stream<Arguments> matrix() {
        return Stream.of(
                // matrix, credential?, answer → status; cells: cred+answer : cred+empty : none+answer : none+empty
                Arguments.of("allow:deny:deny:deny", true, METADATA, 200),
                Arguments.of("allow:deny:deny:deny", true, AuthResponse.EMPTY, 403),
                Arguments.of("allow:deny:deny:deny", false, METADATA, 403),
                Arguments.of("allow:deny:deny:deny", false, AuthResponse.EMPTY, 403),
                Arguments.of("deny:allow:deny:deny", true, AuthResponse.EMPTY, 200),
                Arguments.of("deny:deny:allow:deny", false, METADATA, 200),
                Arguments.of("deny:deny:deny:allow", false, AuthResponse.EMPTY, 200),
                // an answer meant for another auth value counts as empty
                Arguments.of("allow:deny:deny:deny", true, METADATA_FOR_BOB, 403),
                Arguments.of("deny:allow:deny:deny", true, METADATA_FOR_BOB, 200),
                // an explicit status is never overridden by the matrix
                Arguments.of("deny:deny:deny:deny", false, AuthResponse.ofStatus(200), 200));
    }

    @ParameterizedTest(name = "{0}, credential {1}, {2} → {3}")
    @MethodSource("matrix")
    void answersWithoutStatusFollowTheMatrix(String matrix, boolean credential, AuthResponse answer, int expected)
            throws Exception {
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).authorizer(q -> answer)
                .downloadMatrix(AuthMatrix.parse(matrix)).jwtKey(Tokens.KEY).jwtField("uid").build();
        String token = Tokens.hs256(Tokens.KEY, "alice", Instant.now().plusSeconds(600));
        TestRequest request = TestRequest.get("/" + ID, "Authorization: Bearer " + token);
        if (!credential) {
            config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).authorizer(q -> answer)
                    .downloadMatrix(AuthMatrix.parse(matrix)).build();
            request = TestRequest.get("/" + ID);
        }
        assertEquals(expected, new Keyhole(config).decide(request).status());
    }

    @Test
    void backendFailuresFailClosed() {
        assertEquals(503, decide(q -> {
            throw new AuthorizationException(AuthorizationException.Kind.UNAVAILABLE, "test", 0, "down");
        }, TestRequest.get("/" + ID)).status());
        assertEquals(504, decide(q -> {
            throw new AuthorizationException(AuthorizationException.Kind.TIMEOUT, "test", 5, "slow");
        }, TestRequest.get("/" + ID)).status());
        assertEquals(502, decide(q -> {
            throw new IllegalStateException("bug in the authoriser");
        }, TestRequest.get("/" + ID)).status());
        assertEquals(502, decide(q -> null, TestRequest.get("/" + ID)).status());
    }

    @Test
    void derivesAStrongTagWhenTheBackendGivesNoneOrTheSharedDefault() {
        Delivery d = decide(q -> new AuthResponse(200, null, null, null,
                "00000000000000000000000000000000", null, null, null), TestRequest.get("/" + ID));
        String tag = d.header("ETag");
        assertEquals("\"a-" + Long.toHexString(Instant.parse("2024-01-02T03:04:05.678Z").toEpochMilli()) + "\"", tag);
        assertEquals("Tue, 02 Jan 2024 03:04:05 GMT", d.header("Last-Modified"));
        assertEquals("application/octet-stream", d.header("Content-Type"));
        assertEquals("inline; filename=\"file\"", d.header("Content-Disposition"));
    }

    @Test
    void anImplausibleUploadDateFallsBackToTheFilesMtime() {
        Delivery d = decide(q -> new AuthResponse(200, null, null, null, null, null, Long.MAX_VALUE, null),
                TestRequest.get("/" + ID));
        assertEquals("Tue, 02 Jan 2024 03:04:05 GMT", d.header("Last-Modified"));
    }

    @Test
    void bareBackendTagsAreQuoted() {
        Delivery d = decide(q -> new AuthResponse(200, null, null, null, "abc123", null, null, null),
                TestRequest.get("/" + ID));
        assertEquals("\"abc123\"", d.header("ETag"));
    }

    @Test
    void controlCharactersInTheBackendsTypeNeverReachAHeader() {
        Delivery d = decide(q -> new AuthResponse(200, "x\r\nSet-Cookie: a=b", "text/html\r\nSet-Cookie: a=b",
                null, null, null, null, null), TestRequest.get("/" + ID));
        assertEquals("application/octet-stream", d.header("Content-Type"));
        for (NameValue h : d.headers()) {
            assertTrue(h.value().chars().noneMatch(c -> c == '\r' || c == '\n'), h.toString());
        }
    }

    @Test
    void theFilesOwnSizeFramesTheBodyWhateverTheBackendClaims() {
        Delivery d = decide(q -> new AuthResponse(200, null, null, null, null, 999_999L, null, null),
                TestRequest.get("/" + ID));
        Delivery.Send send = assertInstanceOf(Delivery.Send.class, d);
        assertEquals(10, send.contentLength());
        assertEquals("10", send.header("Content-Length"));
    }

    @Test
    void headIsBodilessAndIgnoresRange() {
        Delivery d = decide(q -> AuthResponse.ofStatus(200), TestRequest.get("/" + ID, "Range: bytes=0-1").withMethod("HEAD"));
        Delivery.Send send = assertInstanceOf(Delivery.Send.class, d);
        assertEquals(200, send.status());
        assertTrue(send.bodiless());
        assertEquals(10, send.contentLength());
    }

    /** Paths that are not ids are 404 before the backend is asked. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "/abcdef0123456789\u0000", "/\u0000abcdef0123456789", "/abcdef0123456789%00", "/%2e%2e/abcdef0123456789",
        "/../abcdef0123456789", "/ab/../abcdef0123456789", "/abcdef0123456789/", "/ABCDEF0123456789",
        "/abcdef0123456789.", "/abcdef0123456789..x", "/.abcdef0123456789", "/abcdef 0123456789", "/"})
    void nonIdsAreNotFoundWithoutAsking(String path) {
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        Delivery d = decide(q -> {
            asked.incrementAndGet();
            return AuthResponse.ofStatus(200);
        }, TestRequest.get(path));
        assertEquals(404, d.status(), path);
        assertEquals(0, asked.get(), path);
    }

    @Test
    void idsShorterThanTheTreeDepthAreNotFound() {
        assertEquals(404, decide(q -> AuthResponse.ofStatus(200), TestRequest.get("/a")).status());
    }

    /** No existence oracle: a denied request causes no file-system operation at all. */
    @Test
    void aDeniedRequestLeavesTheTreeUntouched() {
        RecordingFileSystem fs = new RecordingFileSystem();
        Path recorded = fs.path(root);
        {
            Keyhole k = new Keyhole(KeyholeConfig.builder().fsRoot(recorded).fsDepth(2)
                    .authorizer(q -> AuthResponse.ofStatus(403)).build());
            fs.clear();
            assertEquals(403, k.decide(TestRequest.get("/" + ID)).status());
            assertEquals(404, k.decide(TestRequest.get("/../" + ID)).status());
            assertEquals(java.util.List.of(), fs.operations());

            Keyhole granting = new Keyhole(KeyholeConfig.builder().fsRoot(recorded).fsDepth(2)
                    .authorizer(q -> AuthResponse.ofStatus(200)).build());
            fs.clear();
            assertEquals(200, granting.decide(TestRequest.get("/" + ID)).status());
            assertTrue(!fs.operations().isEmpty(), "the recorder must see a granted request's look-up");
        }
    }
}
