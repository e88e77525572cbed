package io.keyhole.servlet.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.KeyholeConfig;
import io.keyhole.observe.Answered;
import io.keyhole.observe.Outcome;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.RecordingListener;
import io.keyhole.testing.TestClock;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import io.keyhole.testing.Wire;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every adapter must show on the wire, whichever container it runs in and whatever renders
 * the bytes (Jetty's mapped buffers, Tomcat's sendfile, the servlet stream): exact bytes, ranges,
 * HEAD, conditional requests, Keyhole's refusals, and routing on the path the container mapped.
 * Each adapter's suite runs it through a small subclass that starts its container.
 *
 * <p>The container listens on 127.0.0.1 and serves the context {@code /app}. In it, Keyhole serves
 * the mount {@code /files/}: a {@link TestTree} whose large file is above every zero-copy
 * threshold, JWTs signed with {@link Tokens#KEY} (claim {@code uid}), and an authoriser that grants
 * every id except those starting with {@code 0000}. Behind Keyhole, mapped to {@code /files/*} as
 * well, an application records every request that reaches it: none of the requests here may.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class AdapterContract {

    /** Above Jetty's mapping threshold (1 MiB) and Tomcat's sendfile threshold (48 KiB). */
    protected static final int LARGE_SIZE = 1_500_000;
    /** An id the authoriser refuses. */
    protected static final String DENIED = "0000111122223333444455556666777f";
    /** An id the authoriser grants but the tree does not hold. */
    protected static final String MISSING = "9".repeat(32);

    /** A running container: its port on 127.0.0.1 and how to stop it. */
    public record Container(int port, Stopper stopper) {
    }

    /** Stops a container and everything it started. */
    @FunctionalInterface
    public interface Stopper {
        void stop() throws Exception;
    }

    /** What Keyhole makes of a route once the container has decoded and normalised it. */
    public enum Expect {
        /** The path names {@link TestTree#SMALL}: 401 without a token, the file with one. */
        ID,
        /** Below the mount, but no id: Keyhole's 404, the backend not asked. */
        NOT_AN_ID,
        /** Outside the mount as the container maps it: the container's answer, Keyhole not involved. */
        NOT_MAPPED,
        /** Refused with 400 by every container before any filter or handler. */
        REFUSED
    }

    /**
     * Spellings of a request at the edge of the mount ({@code {id}} stands for
     * {@link TestTree#SMALL}). Before the routing fix the adapters read the raw URI, so the
     * {@link Expect#ID} spellings looked like paths outside the mount and went to the application
     * behind Keyhole unauthorised.
     */
    public enum Route {
        PLAIN("/app/files/{id}", Expect.ID),
        ENCODED_LETTER_IN_MOUNT("/app/fil%65s/{id}", Expect.ID),
        ENCODED_LETTER_IN_CONTEXT("/%61pp/files/{id}", Expect.ID),
        ENCODED_LETTER_IN_ID("/app/files/%66edcba9876543210fedcba9876543210", Expect.ID),
        PARAMETER_ON_MOUNT("/app/files;x/{id}", Expect.ID),
        SESSION_ID_ON_MOUNT("/app/files;jsessionid=x/{id}", Expect.ID),
        PARAMETER_ON_ID("/app/files/{id};x", Expect.ID),
        DOT_SEGMENT("/app/./files/{id}", Expect.ID),
        DOT_DOT_SEGMENT("/app/x/../files/{id}", Expect.ID),
        ENCODED_DOT_DOT_SEGMENT("/app/x/%2e%2e/files/{id}", Expect.ID),
        ENCODED_DOT_DOT_IN_MOUNT("/app/files/x/%2e%2e/{id}", Expect.ID),
        EMPTY_SEGMENT_BEFORE_MOUNT("/app//files/{id}", Expect.ID),
        EMPTY_SEGMENT_IN_MOUNT("/app/files//{id}", Expect.ID),
        /** Decoded once, this is {@code %66edcba…}: no id. Decoded twice it would be one. */
        DOUBLE_ENCODED_LETTER_IN_ID("/app/files/%2566edcba9876543210fedcba9876543210", Expect.NOT_AN_ID),
        ENCODED_SLASH_AFTER_MOUNT("/app/files%2f{id}", Expect.REFUSED),
        ENCODED_SLASH_IN_ID("/app/files/%2f{id}", Expect.REFUSED),
        MOUNT_WITHOUT_SLASH("/app/files", Expect.NOT_AN_ID),
        MOUNT_ALONE("/app/files/", Expect.NOT_AN_ID),
        NO_ID("/app/files/not-an-id", Expect.NOT_AN_ID),
        /** Normalised to the mount alone. */
        DOT_DOT_AFTER_ID("/app/files/{id}/..", Expect.NOT_AN_ID),
        /** Normalised to the context root, which nothing here maps (Tomcat redirects to {@code /app/}). */
        DOT_DOT_AS_ID("/app/files/..", Expect.NOT_MAPPED),
        /** Paths are case-sensitive in every container: not the mount. */
        MOUNT_IN_UPPER_CASE("/app/FILES/{id}", Expect.NOT_MAPPED),
        CONTEXT_IN_UPPER_CASE("/APP/files/{id}", Expect.NOT_MAPPED);

        private final String target;
        private final Expect expect;

        Route(String target, Expect expect) {
            this.target = target;
            this.expect = expect;
        }

        /** The request target as sent. */
        public String target() {
            return target.replace("{id}", TestTree.SMALL);
        }

        /** What Keyhole makes of it when the container lets it through. */
        public Expect expect() {
            return expect;
        }
    }

    /** Made and removed here: JUnit does not inject {@code @TempDir} fields before a per-class {@code @BeforeAll}. */
    private Path dir;
    protected TestTree tree;
    private Container container;
    /** What the authoriser was asked, in order. */
    protected final List<AuthRequest> asked = new CopyOnWriteArrayList<>();
    /** What Keyhole reported. */
    protected final RecordingListener events = new RecordingListener();
    /** The request URIs that reached the application behind Keyhole. */
    protected final List<String> reached = new CopyOnWriteArrayList<>();

    /**
     * Starts the container on a free port of 127.0.0.1: the context {@code /app}, Keyhole for
     * {@code config} (mount {@code /files/}) in it, and behind Keyhole an application mapped to
     * {@code /files/*} that hands the URI of every request it gets to {@code application} and
     * answers 200 {@code application} ({@link #application} is such a servlet).
     */
    protected abstract Container start(KeyholeConfig config, Consumer<String> application) throws Exception;

    /** Routes this container answers 400 itself, before Keyhole sees them. */
    protected Set<Route> refusedByContainer() {
        return Set.of();
    }

    /**
     * Where Keyhole reads the test tree from: by default the local directory it was written to. A
     * suite for another storage copies the tree there (a bucket, say) and sets that storage: the
     * same cases then hold for it.
     */
    protected KeyholeConfig.Builder storage(KeyholeConfig.Builder config, TestTree written) throws Exception {
        return config.fsRoot(written.root());
    }

    /** Adds this adapter's own settings (e.g. a renderer) to the shared ones. */
    protected KeyholeConfig.Builder configure(KeyholeConfig.Builder config) {
        return config;
    }

    /** The application behind Keyhole as a servlet: records each request URI and answers 200. */
    public static HttpServlet application(Consumer<String> reached) {
        return new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                reached.accept(req.getRequestURI());
                resp.setStatus(200);
                resp.setContentType("text/plain");
                resp.getOutputStream().write("application".getBytes(StandardCharsets.US_ASCII));
            }
        };
    }

    @BeforeAll
    void startContainer() throws Exception {
        dir = Files.createTempDirectory("keyhole-contract");
        Path root = Files.createDirectory(dir.resolve("tree"));
        Files.createDirectory(dir.resolve("container"));
        tree = TestTree.create(root, LARGE_SIZE);
        KeyholeConfig config = configure(storage(KeyholeConfig.builder(), tree).fsDepth(2).mount("/files/")
                .jwtKey(Tokens.KEY).jwtField("uid").listener(events)
                .authorizer(q -> {
                    asked.add(q);
                    return q.fileId().value().startsWith("0000") ? AuthResponse.ofStatus(403)
                            : TestTree.grant().authorize(q);
                })).build();
        container = start(config, reached::add);
    }

    @AfterAll
    void stopContainer() throws Exception {
        try {
            if (container != null) {
                container.stopper().stop();
            }
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** An empty directory for the container's own files (e.g. Tomcat's base directory), removed afterwards. */
    protected Path containerDir() {
        return dir.resolve("container");
    }

    @BeforeEach
    void forget() {
        asked.clear();
        reached.clear();
        events.clear();
        startingTest();
    }

    /**
     * Called before each test, after the records were cleared: a suite that runs with the decision
     * cache on moves its clock past the TTL here, so that each test starts without remembered
     * decisions and counts its questions as the others do.
     */
    protected void startingTest() {
    }

    /** Whether this suite runs with the decision cache on ({@link DecisionCacheOn}): fewer questions reach the backend. */
    protected boolean decisionsCached() {
        return false;
    }

    /**
     * The decision cache and the open-file cache for a subclass that runs this contract with them
     * on: {@link #on} adds them to the configuration, {@link #expireAll} (from {@link #startingTest})
     * moves their clock past the TTL.
     */
    protected static final class DecisionCacheOn {
        private static final Duration TTL = Duration.ofSeconds(10);
        private final TestClock clock = new TestClock(Instant.now());

        public DecisionCacheOn() {
        }

        public KeyholeConfig.Builder on(KeyholeConfig.Builder config) {
            return config.clock(clock).authCacheTtl(TTL).authCacheNegativeTtl(TTL).openCacheValid(TTL);
        }

        public void expireAll() {
            clock.advance(TTL);
        }
    }

    /** The port the container listens on. */
    protected int port() {
        return container.port();
    }

    private String url(String id) {
        return "http://127.0.0.1:" + container.port() + "/app/files/" + id;
    }

    private HttpResponse<byte[]> get(String id, String... headers) throws IOException {
        return send("GET", id, headers);
    }

    private HttpResponse<byte[]> send(String method, String id, String... headers) throws IOException {
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Authorization";
        all[headers.length + 1] = "Bearer " + Tokens.valid("alice");
        return Wire.send(method, url(id), all);
    }

    private void assertNothingReachedTheApplication(String what) {
        assertEquals(List.of(), reached, what + " reached the application behind Keyhole");
    }

    // ---- files ----------------------------------------------------------------------------

    @Test
    void wholeFileWithItsExactBytesAndHeaders() throws Exception {
        HttpResponse<byte[]> r = get(TestTree.LARGE);
        assertEquals(200, r.statusCode());
        assertArrayEquals(tree.large(), r.body());
        assertEquals(Integer.toString(LARGE_SIZE), Wire.header(r, "Content-Length"));
        assertEquals("application/octet-stream", Wire.header(r, "Content-Type"));
        assertEquals(TestTree.ETAG, Wire.header(r, "ETag"));
        assertEquals("Tue, 14 Nov 2023 22:13:20 GMT", Wire.header(r, "Last-Modified"));
        assertEquals("bytes", Wire.header(r, "Accept-Ranges"));
        assertEquals("private", Wire.header(r, "Cache-Control"));
        assertEquals("nosniff", Wire.header(r, "X-Content-Type-Options"));
        assertEquals("inline; filename=\"data.bin\"", Wire.header(r, "Content-Disposition"));
        assertEquals(1, asked.size());
        assertEquals("/files/" + TestTree.LARGE, asked.get(0).uri());
        assertNothingReachedTheApplication("a granted file");
    }

    @Test
    void smallFileWithItsExactBytes() throws Exception {
        HttpResponse<byte[]> r = get(TestTree.SMALL);
        assertEquals(200, r.statusCode());
        assertArrayEquals(tree.small(), r.body());
        assertEquals("1000", Wire.header(r, "Content-Length"));
    }

    @Test
    void singleRangeGives206WithThoseBytes() throws Exception {
        // RFC 9110 §14.1.2: both positions inclusive
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=1000-199999");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 1000-199999/1500000", Wire.header(r, "Content-Range"));
        assertEquals("199000", Wire.header(r, "Content-Length"));
        assertArrayEquals(Arrays.copyOfRange(tree.large(), 1000, 200_000), r.body());
    }

    @Test
    void suffixRangeGivesTheTail() throws Exception {
        // RFC 9110 §14.1.2: a suffix range counts from the end
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=-100");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 1499900-1499999/1500000", Wire.header(r, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(tree.large(), 1_499_900, 1_500_000), r.body());
    }

    @Test
    void severalRangesGiveMultipartByteranges() throws Exception {
        // RFC 9110 §14.6: one part per range, in the order asked
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=0-9,100000-1199999,-5");
        assertEquals(206, r.statusCode());
        Wire.assertParts(r, tree.large(), new long[][] {{0, 9}, {100_000, 1_199_999}, {LARGE_SIZE - 5, LARGE_SIZE - 1}});
    }

    @Test
    void unsatisfiableRangeGives416() throws Exception {
        // RFC 9110 §15.5.17: the current length in Content-Range
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=2000000-");
        assertEquals(416, r.statusCode());
        assertEquals("bytes */1500000", Wire.header(r, "Content-Range"));
    }

    @Test
    void headAnswersLikeGetWithoutBody() throws Exception {
        // RFC 9110 §9.3.2: the same header fields as GET, no content
        HttpResponse<byte[]> g = get(TestTree.LARGE);
        HttpResponse<byte[]> h = send("HEAD", TestTree.LARGE);
        assertEquals(200, h.statusCode());
        assertEquals(0, h.body().length);
        for (String name : List.of("Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges",
                "Content-Disposition", "Cache-Control")) {
            assertEquals(Wire.header(g, name), Wire.header(h, name), name);
        }
    }

    @Test
    void matchingIfNoneMatchGives304WithoutBody() throws Exception {
        // RFC 9110 §13.1.2, §15.4.5: the validators again, no content
        HttpResponse<byte[]> r = get(TestTree.LARGE, "If-None-Match", "\"v0\", " + TestTree.ETAG);
        assertEquals(304, r.statusCode());
        assertEquals(0, r.body().length);
        assertEquals(TestTree.ETAG, Wire.header(r, "ETag"));
    }

    // ---- refusals ---------------------------------------------------------------------------

    @Test
    void withoutATokenIs401WithAChallenge() throws Exception {
        // RFC 9110 §11.6.1, RFC 6750 §3
        HttpResponse<byte[]> r = Wire.send("GET", url(TestTree.LARGE));
        assertEquals(401, r.statusCode());
        assertEquals("Bearer", Wire.header(r, "WWW-Authenticate"));
        assertEquals("no-store", Wire.header(r, "Cache-Control"));
        assertEquals(List.of(), asked, "the backend is not asked without a credential");
    }

    @Test
    void aDenialIs403WithItsMessage() throws Exception {
        HttpResponse<byte[]> r = get(DENIED);
        assertEquals(403, r.statusCode());
        assertEquals("no-store", Wire.header(r, "Cache-Control"));
        assertEquals("forbidden\n", new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(1, asked.size());
    }

    @Test
    void aGrantedIdWithoutAFileIs404() throws Exception {
        HttpResponse<byte[]> r = get(MISSING);
        assertEquals(404, r.statusCode());
        assertEquals("no-store", Wire.header(r, "Cache-Control"));
        assertEquals("not found\n", new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(1, asked.size());
    }

    @Test
    void aPathThatIsNoIdIs404WithoutAsking() throws Exception {
        HttpResponse<byte[]> r = get("ABCDEF0123456789ABCDEF0123456789");
        assertEquals(404, r.statusCode());
        assertEquals("not found\n", new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(List.of(), asked);
        assertNothingReachedTheApplication("a path that is no id");
    }

    // ---- what is reported ----------------------------------------------------------------

    @Test
    void everyAnswerIsReportedOnceWithWhatWasSent() throws Exception {
        get(TestTree.LARGE);
        get(TestTree.LARGE, "Range", "bytes=0-99");
        send("HEAD", TestTree.LARGE);
        get(TestTree.LARGE, "If-None-Match", TestTree.ETAG);
        Wire.send("GET", url(TestTree.LARGE));
        get(DENIED);
        get(MISSING);
        // signed with another key: its uid must not be taken for the caller
        Wire.send("GET", url(TestTree.SMALL), "Authorization",
                "Bearer " + Tokens.hs256(Tokens.OTHER_KEY, "mallory", java.time.Instant.now().plusSeconds(60)));

        List<Answered> got = events.awaitAnswered(8);
        record Seen(String method, String fileId, String authValue, Outcome outcome, int status, long bytes) {
        }
        assertEquals(List.of(
                new Seen("GET", TestTree.LARGE, "alice", Outcome.GRANTED, 200, LARGE_SIZE),
                new Seen("GET", TestTree.LARGE, "alice", Outcome.GRANTED, 206, 100),
                new Seen("HEAD", TestTree.LARGE, "alice", Outcome.GRANTED, 200, 0),
                new Seen("GET", TestTree.LARGE, "alice", Outcome.NOT_MODIFIED, 304, 0),
                new Seen("GET", TestTree.LARGE, null, Outcome.DENIED, 401, "credential required\n".length()),
                new Seen("GET", DENIED, "alice", Outcome.DENIED, 403, "forbidden\n".length()),
                new Seen("GET", MISSING, "alice", Outcome.DENIED, 404, "not found\n".length()),
                new Seen("GET", TestTree.SMALL, null, Outcome.DENIED, 401, "invalid credential\n".length())),
                got.stream().map(a -> new Seen(a.method(), a.fileId(), a.authValue(), a.outcome(), a.status(),
                        a.bytes())).toList());
        for (Answered a : got) {
            assertEquals("download", a.operation());
        }
        assertTrue(events.asked().stream().allMatch(e -> e.nanos() > 0 && !e.backend().isEmpty()), events.asked().toString());
        if (decisionsCached()) {
            // the three requests after the first for the large file are answered from the cache
            assertEquals(List.of("granted", "denied", "granted"), events.asked().stream().map(e -> e.result()).toList());
            return;
        }
        for (Answered a : got) {
            assertEquals(a.status() >= 401 && a.status() != 404 && a.status() != 403, a.backendNanos() == 0, a.toString());
        }
        assertEquals(6, events.asked().size(), "one round trip per request that got past the credential");
        assertEquals(List.of("granted", "granted", "granted", "granted", "denied", "granted"),
                events.asked().stream().map(e -> e.result()).toList());
    }

    @Test
    void aClientThatLeavesMidFileIsReportedFailed() throws Exception {
        // asks for the large file and closes after the first bytes of the body
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port())) {
            socket.setSoLinger(true, 0);
            socket.getOutputStream().write(("GET /app/files/" + TestTree.LARGE + " HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + Tokens.valid("alice") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.setReceiveBufferSize(4096);
            socket.getInputStream().readNBytes(1);
        }
        // an answer of the test before may still be reported after this test began
        Answered a = events.awaitAnswered(e -> e.status() == 200 && TestTree.LARGE.equals(e.fileId()));
        assertTrue(a.outcome() == Outcome.FAILED || a.bytes() == LARGE_SIZE,
                "either the write failed, or the whole body had already gone into the socket buffers: " + a);
    }

    // ---- routing ----------------------------------------------------------------------------

    @Test
    void theRoutesThisContainerRefusesAreRoutesKeyholeWouldServe() {
        // a route every container refuses needs no listing; the others must be real cases
        for (Route route : refusedByContainer()) {
            assertTrue(route.expect() != Expect.REFUSED, route + " is refused everywhere");
        }
    }

    /**
     * Each spelling, without a token and with one: whatever the container makes of it, the
     * application behind Keyhole never gets it, and Keyhole answers for every path it maps
     * below the mount.
     */
    @ParameterizedTest
    @EnumSource(Route.class)
    void routing(Route route) throws IOException {
        String target = route.target();
        RawHttp.Response anonymous = RawHttp.request(port(), "GET", target);
        RawHttp.Response owner = RawHttp.request(port(), "GET", target, "Authorization: Bearer " + Tokens.valid("alice"));
        assertNothingReachedTheApplication(target);
        Expect expect = refusedByContainer().contains(route) ? Expect.REFUSED : route.expect();
        switch (expect) {
            case ID -> {
                assertEquals(401, anonymous.status(), target + ": " + anonymous.text());
                assertEquals("Bearer", anonymous.header("WWW-Authenticate"), target);
                assertEquals(200, owner.status(), target + ": " + owner.text());
                assertArrayEquals(tree.small(), owner.body(), target);
                assertEquals(List.of("/files/" + TestTree.SMALL), asked.stream().map(AuthRequest::uri).toList(),
                        "the backend hears the path as the container mapped it");
            }
            case NOT_AN_ID -> {
                for (RawHttp.Response r : List.of(anonymous, owner)) {
                    assertEquals(404, r.status(), target + ": " + r.text());
                    assertEquals("not found\n", r.text(), target + ": Keyhole's own 404");
                    assertEquals("no-store", r.header("Cache-Control"), target);
                }
                assertEquals(List.of(), asked, target);
            }
            case NOT_MAPPED -> {
                // the container's own answer: 404, or Tomcat's redirect from /app to /app/
                for (RawHttp.Response r : List.of(anonymous, owner)) {
                    assertTrue(r.status() == 404 || r.status() == 302, target + ": " + r.status() + " " + r.text());
                    assertEquals(anonymous.status(), r.status(), target);
                }
                assertEquals(List.of(), asked, target);
            }
            case REFUSED -> {
                assertEquals(400, anonymous.status(), target + ": " + anonymous.text());
                assertEquals(400, owner.status(), target + ": " + owner.text());
                assertEquals(List.of(), asked, target);
            }
        }
    }
}
