package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.FileId;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
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
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code keyhole serve} in a child JVM, asked by a backend on a real Unix socket in this JVM. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeCommandTest {

    static final Pattern READY = Pattern.compile(
            "keyhole: serving (\\S+) at (http://127\\.0\\.0\\.1:(\\d+)/files/) \\((json over .+), delivery stream\\)");
    static final byte[] KEY = "serve-test-key-0123456789abcdef!".getBytes(StandardCharsets.US_ASCII);
    static final String ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    /** A user whose requests the backend holds until the test releases them. */
    static final String SLOW = "slow-alice";

    @TempDir
    static Path dir;
    byte[] content;
    Path socket;
    Path config;
    JsonSocketServer backend;
    final ConcurrentLinkedQueue<AuthRequest> asked = new ConcurrentLinkedQueue<>();
    JavaProcess server;
    String readyLine;
    URI base;
    final HttpClient http = HttpClient.newHttpClient();
    final CountDownLatch slowEntered = new CountDownLatch(1);
    final CountDownLatch slowRelease = new CountDownLatch(1);

    @BeforeAll
    void startServer() throws Exception {
        HashedTree tree = new HashedTree(dir.resolve("tree"), 2);
        tree.create();
        content = new byte[100_000];
        new Random(42).nextBytes(content);
        Files.write(tree.pathOf(FileId.parse(ID)), content);

        socket = dir.resolve("auth.sock");
        backend = JsonSocketServer.start(socket, request -> {
            asked.add(request);
            if (SLOW.equals(request.authValue())) {
                slowEntered.countDown();
                awaitRelease();
            }
            return "alice".equals(request.authValue()) || SLOW.equals(request.authValue())
                    ? new AuthResponse(200, "data.bin", "application/x-test", null, null, null, null, null)
                    : AuthResponse.ofStatus(403);
        });
        config = writeConfig(dir.resolve("keyhole.properties"), tree.root(), socket);
        server = JavaProcess.main("serve", "--config", config.toString());
        readyLine = server.awaitLine(l -> l.startsWith("keyhole: serving"));
        Matcher m = READY.matcher(readyLine);
        assertTrue(m.matches(), readyLine);
        base = URI.create(m.group(2));
    }

    static Path writeConfig(Path file, Path root, Path socket) throws IOException {
        Files.writeString(file, String.join("\n",
                "# written by ServeCommandTest",
                "listen = 127.0.0.1:0",
                "mount = /files/",
                "fs-root = " + root,
                "fs-depth = 2",
                "unix-socket = " + socket,
                "jwt-key = " + new String(KEY, StandardCharsets.US_ASCII),
                "jwt-field = uid",
                ""));
        return file;
    }

    private void awaitRelease() {
        try {
            if (!slowRelease.await(JavaProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    @BeforeEach
    void forget() {
        asked.clear();
    }

    static String token(String uid) {
        return Tokens.mint(KEY, "HS256", Map.of("uid", uid), Duration.ofMinutes(5), Instant.now());
    }

    @Test
    void readyLineNamesRootAddressMountBackendAndDelivery() {
        Matcher m = READY.matcher(readyLine);
        assertTrue(m.matches(), readyLine);
        assertEquals(dir.resolve("tree").toString(), m.group(1));
        assertTrue(m.group(4).contains(socket.toString()), readyLine);
        assertEquals(1, server.seen().size(), "exactly one line before serving: " + server.seen());
    }

    @Test
    void grantedRequestGetsTheFilesExactBytes() throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(base.resolve(ID))
                .header("Authorization", "Bearer " + token("alice")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(content, response.body());
        assertEquals("application/x-test", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(1, asked.size());
        assertEquals("alice", asked.peek().authValue());
    }

    @Test
    void rangeRequestGetsThoseBytes() throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(base.resolve(ID))
                        .header("Authorization", "Bearer " + token("alice")).header("Range", "bytes=1000-1999").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, response.statusCode());
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 2000), response.body());
    }

    @Test
    void deniedRequestGetsTheBackendsStatus() throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(base.resolve(ID))
                .header("Authorization", "Bearer " + token("bob")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(403, response.statusCode());
        assertFalse(new String(response.body(), StandardCharsets.ISO_8859_1).contains("serve-test"), "no file bytes");
    }

    @Test
    void requestWithoutTokenIsUnauthorised() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(ID)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, response.statusCode());
        assertTrue(asked.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/index.html", "/file/" + ID, "/" + ID, "/filesx/" + ID, "/FILES/" + ID,
            "/files/..",             // Jetty resolves the dot segment: the path it maps is /
            "/files/%u002e%u002e",   // the same, written in UTF-16 escapes
    })
    void pathsOutsideTheMountAreNotFound(String path) throws Exception {
        RawResponse response = raw(path);
        assertEquals(404, response.status(), response.text());
        assertTrue(asked.isEmpty(), "the backend was asked about " + path);
    }

    /**
     * Paths that Jetty's default URI compliance answers with its own 400 before any filter runs.
     * The server admits them, so the filter sees each one and, as none is a valid id, answers its
     * 404 (with Cache-Control: no-store) without asking the backend.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "/files/%2E%2E%2Fetc%2Fpasswd",     // encoded dots and separators in one segment
            "/files/0a1b%2F2c3d4e5f",           // encoded separator inside an id
            "/files/" + ID + "%2500",           // an encoded percent sign
            "/files//" + ID,                     // empty segment
            "/files/0a1b2c3d%5C..%5Cx",         // encoded backslashes around dots
            "/files/%c0%ae%c0%ae/x",            // overlong UTF-8 for dots
            "/files/%u002e%u002e%u002e",        // UTF-16 escapes (three dots: a name, not a dot segment)
    })
    void pathsJettyWouldRefuseReachTheFilterAndAreNotFound(String path) throws Exception {
        assertFilterNotFound(path);
    }

    /**
     * Spellings that Jetty decodes and normalises to {@code /files/<ID>} before it maps the
     * request: the filter reads that path too, so each is the id, asked about and served.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "/files/" + ID + ";jsessionid=1",   // path parameter
            "/files;x/" + ID,                    // path parameter on the mount
            "/fil%65s/" + ID,                    // an encoded letter
            "/files/./" + ID,                    // a dot segment
            "/x/../files/" + ID,                 // a dot-dot segment
            "/files/%2e/" + ID,                  // an encoded dot segment
    })
    void spellingsOfAnIdAreThatId(String path) throws Exception {
        RawResponse response = raw(path);
        assertEquals(200, response.status(), path + " -> " + response.text());
        assertEquals(1, asked.size(), "the backend is asked once about " + path);
        assertEquals("/files/" + ID, asked.peek().uri());
    }

    /** Odd but harmless paths that reach the filter under any compliance mode. */
    @ParameterizedTest
    @ValueSource(strings = {
            "/files/" + ID + "/",               // trailing slash
            "/files/" + ID + "/..",             // a dot-dot segment after an id
            "/files",                            // the mount without its slash
            "/files/ABCDEF0123456789",          // upper case is not an id
            "/files/0a1b2c3d.",                 // empty suffix
            "/files/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                    + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", // 161: too long for an id
    })
    void oddPathsAreNotFound(String path) throws Exception {
        assertFilterNotFound(path);
    }

    /**
     * Jetty 12.1's URI parser refuses these in every compliance mode, UNSAFE included: an encoded
     * NUL, a percent sign without two hex digits, and dot segments that climb above the root once
     * decoded. They end as 400 before any handler, so the backend and the disk are not touched.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "/files/" + ID + "%00",             // NUL after a valid id
            "/files/%00",                        // NUL alone
            "/files/%ZZ",                        // not a percent-encoding
            "/files/%2e%2e/%2e%2e/etc/passwd",  // climbs above the root
    })
    void pathsJettyAlwaysRefusesAreBadRequests(String path) throws Exception {
        RawResponse response = raw(path);
        assertEquals(400, response.status(), path + " -> " + response.text());
        assertTrue(asked.isEmpty(), "the backend was asked about " + path);
    }

    private void assertFilterNotFound(String path) throws IOException {
        RawResponse response = raw(path);
        assertEquals(404, response.status(), path + " -> " + response.text());
        assertTrue(response.hasHeader("Cache-Control", "no-store"), "the filter's 404: " + response.text());
        assertTrue(asked.isEmpty(), "the backend was asked about " + path);
    }

    @Test
    void sigtermStopsTheServerCleanlyWithExitCodeZero() throws Exception {
        Path second = writeConfig(dir.resolve("second.properties"), dir.resolve("tree"), socket);
        try (JavaProcess child = JavaProcess.main("serve", "--config", second.toString())) {
            Matcher m = READY.matcher(child.awaitLine(l -> l.startsWith("keyhole: serving")));
            assertTrue(m.matches());
            int port = Integer.parseInt(m.group(3));

            assertEquals(0, child.terminate(), "exit code after SIGTERM; stderr: " + child.stderr());
            assertEquals(List.of("keyhole: server stopped"), child.remainingLines());
            assertEquals("", child.stderr());
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(), "nothing listens any more");
        }
    }

    @Test
    void requestInFlightAtSigtermIsCompleted() throws Exception {
        Path third = writeConfig(dir.resolve("third.properties"), dir.resolve("tree"), socket);
        try (JavaProcess child = JavaProcess.main("serve", "--config", third.toString())) {
            Matcher m = READY.matcher(child.awaitLine(l -> l.startsWith("keyhole: serving")));
            assertTrue(m.matches());
            int port = Integer.parseInt(m.group(3));

            CompletableFuture<HttpResponse<byte[]>> pending = http.sendAsync(
                    HttpRequest.newBuilder(URI.create(m.group(2)).resolve(ID))
                            .header("Authorization", "Bearer " + token(SLOW)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(slowEntered.await(JavaProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS), "the backend was asked");

            child.signalTerm();
            // The stop has begun once the port refuses new connections; only then may the answer come.
            long deadline = System.nanoTime() + JavaProcess.PATIENCE.toNanos();
            while (true) {
                try (Socket probe = new Socket("127.0.0.1", port)) {
                    assertTrue(probe.isConnected() && child.isAlive(), "the server ended with a request in flight");
                    assertTrue(System.nanoTime() < deadline, "the port still accepts after " + JavaProcess.PATIENCE);
                } catch (java.net.SocketException refused) {
                    // refused, or reset by a listener that closed while the connection was made
                    break;
                }
            }
            slowRelease.countDown();

            HttpResponse<byte[]> response = pending.get(JavaProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertArrayEquals(content, response.body());
            assertEquals(0, child.awaitExit(), "stderr: " + child.stderr());
        } finally {
            slowRelease.countDown();
        }
    }

    /** A response read off a plain socket, for request lines no HTTP client would send. */
    record RawResponse(int status, String text) {
        boolean hasHeader(String name, String value) {
            return text.lines().anyMatch(l -> l.equalsIgnoreCase(name + ": " + value));
        }
    }

    RawResponse raw(String path) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout((int) JavaProcess.PATIENCE.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + base.getAuthority()
                    + "\r\nAuthorization: Bearer " + token("alice") + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            String statusLine = text.lines().findFirst().orElse("");
            String[] parts = statusLine.split(" ");
            if (parts.length < 2) {
                throw new AssertionError("not an HTTP response: " + text);
            }
            return new RawResponse(Integer.parseInt(parts[1]), text);
        }
    }
}
