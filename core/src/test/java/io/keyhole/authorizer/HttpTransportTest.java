package io.keyhole.authorizer;

import static io.keyhole.authorizer.TransportFixtures.assertSameDescriptors;
import static io.keyhole.authorizer.TransportFixtures.canCountDescriptors;
import static io.keyhole.authorizer.TransportFixtures.closedPort;
import static io.keyhole.authorizer.TransportFixtures.concurrently;
import static io.keyhole.authorizer.TransportFixtures.liveThreads;
import static io.keyhole.authorizer.TransportFixtures.newThreads;
import static io.keyhole.authorizer.TransportFixtures.openDescriptors;
import static io.keyhole.authorizer.TransportFixtures.releaseUnreferencedHttpClients;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.Authorizer;
import io.keyhole.FileId;
import io.keyhole.authorizer.TransportFixtures.FullListener;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The JSON request POSTed to a real HTTP server on loopback. */
class HttpTransportTest {

    private static final Duration SECOND = Duration.ofSeconds(1);
    /** For exchanges that are to time out. */
    private static final Duration DEADLINE = Duration.ofMillis(300);
    /** For exchanges that are to succeed, however loaded the machine. */
    private static final Duration PATIENT = Duration.ofSeconds(30);

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @AfterAll
    static void releaseClients() throws InterruptedException {
        // Leave no descriptors behind for the descriptor counts of the tests that follow.
        releaseUnreferencedHttpClients();
    }

    private static HttpTransport transport(Backend backend) {
        return new HttpTransport(backend.url("/auth"), SECOND, PATIENT);
    }

    private static HttpTransport impatient(Backend backend) {
        return new HttpTransport(backend.url("/auth"), SECOND, DEADLINE);
    }

    @Test
    void postsTheRequestAndReturnsTheBodyExactly() throws Exception {
        String answer = "{\"status\":200,\"filename\":\"Gr\u00fc\u00dfe \u20ac.pdf\"}\n";
        try (Backend backend = Backend.start((exchange, request) -> Backend.send(exchange, 200, answer))) {
            String request = "{\"uri\":\"/f/abcdef0123456789\",\"jwt_value\":\"\u00e9l\u00e8ve\"}";
            byte[] got = new HttpTransport(backend.url("/check/file?site=a%20b"), SECOND, PATIENT).exchange(utf8(request));

            assertArrayEquals(utf8(answer), got);
            Received seen = backend.only();
            assertEquals("POST", seen.method());
            assertEquals("/check/file?site=a%20b", seen.target());
            assertEquals("application/json", seen.headers().getFirst("Content-Type"));
            assertEquals(String.valueOf(utf8(request).length), seen.headers().getFirst("Content-Length"));
            assertArrayEquals(utf8(request), seen.body());
            assertNull(seen.headers().getFirst("Authorization"));
        }
    }

    @Test
    void composesWithTheJsonRequestType() throws Exception {
        try (Backend backend = Backend.start((exchange, request) ->
                Backend.send(exchange, 200, "{\"status\":403,\"error\":\"not yours\"}"))) {
            Authorizer authorizer = Authorizers.of(new JsonRequestType(), transport(backend));
            AuthResponse answer = authorizer.authorize(
                    new AuthRequest("/f/abcdef0123456789", FileId.parse("abcdef0123456789"), "GET", "42", null, null));

            assertEquals(403, answer.status());
            assertEquals("not yours", answer.error());
            assertEquals("{\"uri\":\"/f/abcdef0123456789\",\"jwt_value\":\"42\"}", text(backend.only().body()));
            assertEquals("json over http:" + backend.url("/auth"), authorizer.toString());
        }
    }

    @Test
    void keepAliveReusesOneConnection() throws Exception {
        try (Backend backend = Backend.start((exchange, request) -> Backend.send(exchange, 200, "{}"))) {
            HttpTransport http = transport(backend);
            for (int i = 0; i < 20; i++) {
                assertEquals("{}", text(http.exchange(utf8("{\"n\":" + i + "}"))));
            }
            assertEquals(20, backend.received().size());
            assertEquals(1, backend.connections(), "20 exchanges one after another over one connection");
        }
    }

    @Test
    void userInfoIsSentAsBasicCredentialsAndNeverDescribed() throws Exception {
        try (Backend backend = Backend.start((exchange, request) -> Backend.send(exchange, 200, "{}"))) {
            URI url = URI.create("http://keyhole:s%20cret@127.0.0.1:" + backend.port() + "/auth?key=k1");
            HttpTransport http = new HttpTransport(url, SECOND, PATIENT);
            http.exchange(utf8("{}"));

            Received seen = backend.only();
            String expected = "Basic " + Base64.getEncoder().encodeToString(utf8("keyhole:s cret"));
            assertEquals(expected, seen.headers().getFirst("Authorization"));
            assertEquals("/auth?key=k1", seen.target());
            assertEquals("http:http://127.0.0.1:" + backend.port() + "/auth", http.describe());
            assertEquals(url, http.url());
        }
    }

    @Test
    void refusedConnectionIsUnavailable() throws Exception {
        URI url = URI.create("http://127.0.0.1:" + closedPort() + "/auth");
        HttpTransport http = new HttpTransport(url, SECOND, PATIENT);
        AuthorizationException e = assertThrows(AuthorizationException.class, () -> http.exchange(utf8("{}")));

        assertEquals(Kind.UNAVAILABLE, e.kind());
        assertEquals(503, e.kind().status());
        assertEquals("http:" + url, e.backend());
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
    }

    @Test
    void connectThatCannotCompleteTimesOutAtTheConnectDeadline() throws Exception {
        try (FullListener stuck = new FullListener()) {
            URI url = URI.create("http://127.0.0.1:" + stuck.port() + "/auth");
            HttpTransport http = new HttpTransport(url, DEADLINE, PATIENT);
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> http.exchange(utf8("{}")));

            assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
            assertTrue(e.elapsedMillis() >= DEADLINE.toMillis(), "waited " + e.elapsedMillis() + " ms");
            assertTrue(e.getMessage().contains("no connection within 300 ms"), e.getMessage());
        }
    }

    @Test
    void backendThatNeverAnswersTimesOutAtTheDeadline() throws Exception {
        try (Backend backend = Backend.start((exchange, request) -> backend(exchange).hang())) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> impatient(backend).exchange(utf8("{}")));

            assertEquals(Kind.TIMEOUT, e.kind());
            assertEquals(504, e.kind().status());
            assertTrue(e.elapsedMillis() >= DEADLINE.toMillis(), "waited " + e.elapsedMillis() + " ms");
            assertTrue(e.getMessage().contains("answer within 300 ms"), e.getMessage());
            assertEquals(1, backend.received().size(), "the request was delivered; only the answer never came");
        }
    }

    @Test
    void tricklingBodyGetsNoMoreTimeThanASilentBackend() throws Exception {
        // The headers come at once; the JDK's own request timeout stops there, the transport's deadline does not.
        try (Backend backend = Backend.start((exchange, request) -> backend(exchange).trickle(exchange))) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> impatient(backend).exchange(utf8("{}")));

            assertEquals(Kind.TIMEOUT, e.kind());
            assertTrue(e.elapsedMillis() >= DEADLINE.toMillis(), "waited " + e.elapsedMillis() + " ms");
            assertTrue(e.getMessage().contains("no complete answer within 300 ms"), e.getMessage());
        }
    }

    @Test
    void garbageAnswerIsBadOnceDecoded() throws Exception {
        try (Backend backend = Backend.start((exchange, request) -> Backend.send(exchange, 200, "<html>ok</html>"))) {
            Authorizer authorizer = Authorizers.of(new JsonRequestType(), transport(backend));
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> authorizer.authorize(request()));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertEquals(502, e.kind().status());
        }
    }

    @Test
    void oversizeAnswerIsBadWithOrWithoutALength() throws Exception {
        try (Backend backend = Backend.start((exchange, request) -> {
            String body = "x".repeat(1001);
            if (text(request.body()).equals("chunked")) {
                Backend.sendChunked(exchange, 200, body);
            } else {
                Backend.send(exchange, 200, body);
            }
        })) {
            HttpTransport http = new HttpTransport(backend.url("/auth"), SECOND, PATIENT, 1000);
            for (String framing : List.of("length", "chunked")) {
                AuthorizationException e = assertThrows(AuthorizationException.class, () -> http.exchange(utf8(framing)));
                assertEquals(Kind.BAD_ANSWER, e.kind(), framing);
                assertTrue(e.getMessage().contains("answer longer than 1000 bytes"), e.getMessage());
            }
        }
    }

    @Test
    void answerOfExactlyTheLimitIsAccepted() throws Exception {
        try (Backend backend = Backend.start((exchange, request) -> {
            if (text(request.body()).equals("chunked")) {
                Backend.sendChunked(exchange, 200, "y".repeat(70_000));
            } else {
                Backend.send(exchange, 200, "y".repeat(70_000));
            }
        })) {
            HttpTransport http = new HttpTransport(backend.url("/auth"), SECOND, PATIENT, 70_000);
            assertEquals(70_000, http.exchange(utf8("length")).length);
            assertEquals(70_000, http.exchange(utf8("chunked")).length);
        }
    }

    @Test
    void defaultLimitRejectsAnswersOver64KiB() throws Exception {
        try (Backend backend = Backend.start((exchange, request) ->
                Backend.sendChunked(exchange, 200, "{\"error\":\"" + "z".repeat(70_000) + "\"}"))) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> transport(backend).exchange(utf8("{}")));
            assertEquals(Kind.BAD_ANSWER, e.kind());
        }
    }

    @Test
    void statusOutside2xxIsABackendFailureWhateverTheBody() throws Exception {
        // The decision travels in the body; an HTTP error status means the backend did not work.
        AtomicInteger status = new AtomicInteger();
        try (Backend backend = Backend.start((exchange, request) ->
                Backend.send(exchange, status.get(), "{\"status\":200}"))) {
            Authorizer authorizer = Authorizers.of(new JsonRequestType(), transport(backend));
            for (int code : new int[] {400, 401, 403, 404, 500, 502, 504}) {
                status.set(code);
                AuthorizationException e = assertThrows(AuthorizationException.class, () -> authorizer.authorize(request()));
                assertEquals(Kind.BAD_ANSWER, e.kind(), "HTTP " + code);
                assertTrue(e.getMessage().contains("answered HTTP " + code), e.getMessage());
            }
            status.set(503);
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> authorizer.authorize(request()));
            assertEquals(Kind.UNAVAILABLE, e.kind(), "HTTP 503 says the backend is unavailable");
            assertTrue(e.getMessage().contains("answered HTTP 503"), e.getMessage());
            assertEquals(1, backend.connections(), "short error bodies are read, so the connection stays usable");
        }
    }

    @Test
    void longErrorBodyStillReportsTheStatus() throws Exception {
        try (Backend backend = Backend.start((exchange, request) -> Backend.sendChunked(exchange, 500, "e".repeat(1_000_000)))) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> new HttpTransport(backend.url("/auth"), SECOND, PATIENT, 1000).exchange(utf8("{}")));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertTrue(e.getMessage().contains("answered HTTP 500"), e.getMessage());
        }
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        try (Backend backend = Backend.start((exchange, request) -> {
            exchange.getResponseHeaders().set("Location", "/elsewhere");
            Backend.send(exchange, 302, "");
        })) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> transport(backend).exchange(utf8("{}")));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertTrue(e.getMessage().contains("answered HTTP 302"), e.getMessage());
            assertEquals("/auth", backend.only().target());
        }
    }

    @Test
    void connectionDroppedWithoutAnAnswerIsRetriedOnceOnAFreshConnection() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (Backend backend = Backend.start((exchange, request) -> {
            if (calls.incrementAndGet() == 2) {
                Backend.drop(exchange);
            }
            Backend.send(exchange, 200, "{\"n\":" + calls.get() + "}");
        })) {
            HttpTransport http = transport(backend);
            assertEquals("{\"n\":1}", text(http.exchange(utf8("{}"))));
            // The kept-alive connection breaks under the second request: asked again on a new one.
            assertEquals("{\"n\":3}", text(http.exchange(utf8("{}"))));
            assertEquals(3, backend.received().size());
            assertEquals(2, backend.connections());
        }
    }

    @Test
    void connectionDroppedTwiceIsABadAnswer() throws Exception {
        try (Backend backend = Backend.start((exchange, request) -> Backend.drop(exchange))) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> transport(backend).exchange(utf8("{}")));
            assertEquals(Kind.BAD_ANSWER, e.kind());
            assertTrue(e.getMessage().contains("the connection broke before a complete answer"), e.getMessage());
            assertEquals(2, backend.received().size(), "asked twice, not more");
        }
    }

    @Test
    void interruptedCallerGetsUnavailableAndKeepsItsInterrupt() throws Exception {
        try (Backend backend = Backend.start((exchange, request) -> Backend.send(exchange, 200, "{}"))) {
            Thread.currentThread().interrupt();
            try {
                AuthorizationException e = assertThrows(AuthorizationException.class,
                        () -> transport(backend).exchange(utf8("{}")));
                assertEquals(Kind.UNAVAILABLE, e.kind());
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void concurrentExchangesAllSucceedOverKeptAliveConnectionsAndLeakNothing() throws Exception {
        assumeTrue(canCountDescriptors(), "needs /proc");
        CountDownLatch together = new CountDownLatch(50);
        try (Backend backend = Backend.start((exchange, request) -> {
            String body = text(request.body());
            if (body.equals("warm")) {
                // Hold every warm-up request until all 50 are in: 50 connections open at once.
                together.countDown();
                together.await(30, TimeUnit.SECONDS);
            }
            Backend.send(exchange, 200, "{\"status\":200,\"etag\":\"" + body + "\"}");
        })) {
            releaseUnreferencedHttpClients();
            Set<Thread> beforeTransport = liveThreads();
            HttpTransport http = new HttpTransport(backend.url("/auth"), PATIENT, PATIENT);
            concurrently(50, 1, (thread, round) -> http.exchange(utf8("warm")));
            Map<String, String> descriptors = openDescriptors();

            concurrently(50, 20, (thread, round) -> {
                String request = thread + "." + round;
                assertEquals("{\"status\":200,\"etag\":\"" + request + "\"}", text(http.exchange(utf8(request))));
            });

            assertEquals(50 + 50 * 20, backend.received().size());
            assertEquals(50, backend.connections(), "never more connections than exchanges at once");
            assertSameDescriptors(descriptors, "descriptors open before and after 1000 exchanges");
            List<String> started = newThreads(beforeTransport, Backend.THREADS);
            assertTrue(started.size() <= 1 + HttpTransport.THREADS, "threads started by the transport: " + started);
            assertTrue(started.stream().allMatch(name -> name.matches("HttpClient-\\d+-SelectorManager|keyhole-http-\\d+-\\d+")),
                    "threads started by the transport: " + started);
        }
    }

    @Test
    void timedOutExchangesLeakNoDescriptors() throws Exception {
        assumeTrue(canCountDescriptors(), "needs /proc");
        releaseUnreferencedHttpClients();
        // Two servers in turn on one port: the transport, and its client's own descriptors, exist before the count.
        // The headers come at once, so the transport's own deadline is the one that ends each exchange.
        int port = closedPort();
        HttpTransport http = new HttpTransport(URI.create("http://127.0.0.1:" + port + "/auth"), SECOND, SECOND);
        Reply trickle = (exchange, request) -> backend(exchange).trickle(exchange);
        try (Backend warm = Backend.start(port, trickle)) {
            assertThrows(AuthorizationException.class, () -> http.exchange(utf8("{}")));
            warm.only();
        }
        Map<String, String> before = openDescriptors();
        try (Backend backend = Backend.start(port, trickle)) {
            concurrently(20, 1, (thread, round) -> {
                AuthorizationException e = assertThrows(AuthorizationException.class, () -> http.exchange(utf8("{}")));
                assertEquals(Kind.TIMEOUT, e.kind());
            });
            assertEquals(20, backend.received().size(), "requests that reached the backend before their deadline");
        }
        assertSameDescriptors(before, "every connection was closed at its deadline");
    }

    @Test
    void transportNobodyReferencesLeavesNoThreadBehind() throws Exception {
        // A web application that is redeployed drops its transport; the client's selector thread must then end.
        try (Backend backend = Backend.start((exchange, request) -> Backend.send(exchange, 200, "{}"))) {
            Set<Thread> before = liveThreads();
            HttpTransport http = transport(backend);
            http.exchange(utf8("{}"));
            List<Thread> selectors = liveThreads().stream()
                    .filter(t -> !before.contains(t) && t.getName().endsWith("-SelectorManager"))
                    .collect(Collectors.toList());
            assertEquals(1, selectors.size(), "one client per transport");
            http = null;

            // The kept-alive connection is still open, as is the server: only the transport is gone.
            System.gc();
            selectors.get(0).join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(selectors.get(0).isAlive(), "the client of a collected transport shut down");
        }
    }

    @Test
    void constructorRejectsNonsense() {
        assertThrows(NullPointerException.class, () -> new HttpTransport(null, SECOND, SECOND));
        String[][] cases = {
            {"/auth", "url must be an absolute http or https URL, was a relative one"},
            {"ftp://127.0.0.1/auth", "url must be an absolute http or https URL, was one with scheme ftp"},
            {"unix:/run/auth.sock", "url must be an absolute http or https URL, was one with scheme unix"},
            {"http:auth", "url must name a host"},
            {"http:///auth", "url must name a host"},
            {"http://127.0.0.1/auth#part", "url must not have a fragment"},
        };
        for (String[] row : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new HttpTransport(URI.create(row[0]), SECOND, SECOND), row[0]);
            assertTrue(e.getMessage().startsWith(row[1]), row[0] + ": " + e.getMessage());
        }
        URI url = URI.create("http://127.0.0.1/auth");
        assertThrows(IllegalArgumentException.class, () -> new HttpTransport(url, Duration.ZERO, SECOND));
        assertThrows(IllegalArgumentException.class, () -> new HttpTransport(url, SECOND, Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> new HttpTransport(url, null, SECOND));
        assertThrows(IllegalArgumentException.class, () -> new HttpTransport(url, SECOND, SECOND, 0));
    }

    @Test
    void describesItselfWithoutUserInfoOrQuery() {
        HttpTransport http = new HttpTransport(URI.create("HTTPS://u:p@auth.internal:8443/v1/check?key=secret"), SECOND, DEADLINE);
        assertEquals("http:https://auth.internal:8443/v1/check", http.describe());
        assertFalse(http.toString().contains("secret"));
        assertEquals("http:http://auth.internal/", new HttpTransport(URI.create("http://auth.internal"), SECOND, SECOND).describe());
        assertEquals(SECOND, http.connectTimeout());
        assertEquals(DEADLINE, http.answerTimeout());
        assertEquals(HttpTransport.DEFAULT_MAX_ANSWER_BYTES, http.maxAnswerBytes());
    }

    private static AuthRequest request() {
        return new AuthRequest("/f/abcdef0123456789", FileId.parse("abcdef0123456789"), "GET", null, null, null);
    }

    private static Backend backend(HttpExchange exchange) {
        return (Backend) exchange.getHttpContext().getAttributes().get(Backend.class.getName());
    }

    /** One request as the server saw it. */
    record Received(String method, String target, Headers headers, byte[] body, InetSocketAddress remote) {
    }

    /** What the server does with a request, after recording it. */
    interface Reply {
        void reply(HttpExchange exchange, Received request) throws IOException, InterruptedException;
    }

    /**
     * A real HTTP/1.1 server (the JDK's) on 127.0.0.1: records every request and the connection
     * it came on, and answers through the test's {@link Reply}. Closing it releases hanging
     * replies, closes every connection and stops every thread.
     */
    static final class Backend implements AutoCloseable {
        static final String THREADS = "test-http-";
        private static final AtomicInteger INSTANCES = new AtomicInteger();

        private final HttpServer server;
        private final ExecutorService handlers;
        private final CountDownLatch closing = new CountDownLatch(1);
        private final List<Received> received = new CopyOnWriteArrayList<>();

        private Backend(HttpServer server, ExecutorService handlers) {
            this.server = server;
            this.handlers = handlers;
        }

        static Backend start(Reply reply) throws IOException {
            return start(0, reply);
        }

        /** On {@code port}, or on one the system picks for 0. */
        static Backend start(int port, Reply reply) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 0);
            int instance = INSTANCES.incrementAndGet();
            AtomicInteger threads = new AtomicInteger();
            ExecutorService handlers = Executors.newCachedThreadPool(task -> {
                Thread thread = new Thread(task, THREADS + instance + "-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            Backend backend = new Backend(server, handlers);
            server.createContext("/", exchange -> {
                try {
                    Received request = new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                            exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes(), exchange.getRemoteAddress());
                    backend.received.add(request);
                    reply.reply(exchange, request);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    exchange.close();
                }
            }).getAttributes().put(Backend.class.getName(), backend);
            server.setExecutor(handlers);
            server.start();
            return backend;
        }

        int port() {
            return server.getAddress().getPort();
        }

        URI url(String pathAndQuery) {
            return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
        }

        List<Received> received() {
            return List.copyOf(received);
        }

        Received only() {
            assertEquals(1, received.size(), "requests received");
            return received.get(0);
        }

        /** Distinct client connections the requests came on. */
        long connections() {
            return received.stream().map(Received::remote).distinct().count();
        }

        static void send(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = utf8(body);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        /** Without a Content-Length: the length shows only as the body arrives. */
        static void sendChunked(HttpExchange exchange, int status, String body) throws IOException {
            exchange.sendResponseHeaders(status, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(utf8(body));
            }
        }

        /** Closes the connection without a byte of answer: the server drops it when the handler fails. */
        static void drop(HttpExchange exchange) throws IOException {
            throw new IOException("dropping the connection on purpose");
        }

        void hang() throws InterruptedException {
            closing.await();
        }

        /** Headers at once, then a body a byte every 10 ms, until the client goes away or the server closes. */
        void trickle(HttpExchange exchange) throws IOException, InterruptedException {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(utf8("{\"status\":200,\"error\":\""));
            out.flush();
            while (!closing.await(10, TimeUnit.MILLISECONDS)) {
                out.write(' ');
                out.flush();
            }
        }

        @Override
        public void close() {
            closing.countDown();
            server.stop(0);
            handlers.shutdownNow();
            try {
                if (!handlers.awaitTermination(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test server threads did not stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
