package io.keyhole.jetty;

import static io.keyhole.testing.Wire.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.keyhole.AuthResponse;
import io.keyhole.DeliveryMode;
import io.keyhole.KeyholeConfig;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Wire;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KeyholeHandler} in a servlet-less Jetty: same answers as the filter, bytes from mapped buffers. */
class KeyholeHandlerTest {

    @TempDir
    static Path root;
    static TestTree tree;
    static Server server;
    static String base;
    static final List<String> bufferKinds = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        tree = TestTree.create(root, 1_500_000);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        KeyholeHandler keyhole = new KeyholeHandler(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(q -> q.fileId().value().startsWith("0000") ? AuthResponse.ofStatus(403)
                        : TestTree.grant().authorize(q))
                .build());
        Handler application = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.write(true, ByteBuffer.wrap("application".getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
        ContextHandler context = new ContextHandler(new Handler.Sequence(keyhole, application), "/app");
        server.setHandler(ProcMaps.recordingBufferKinds(context, bufferKinds));
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort() + "/app/";
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    @BeforeEach
    void forget() {
        bufferKinds.clear();
    }

    @Test
    void wholeLargeFileGoesOutMapped() throws Exception {
        HttpResponse<byte[]> r = Wire.send("GET", base + "files/" + TestTree.LARGE);
        assertEquals(200, r.statusCode());
        assertArrayEquals(tree.large(), r.body());
        assertEquals("1500000", header(r, "Content-Length"));
        assertEquals("application/octet-stream", header(r, "Content-Type"));
        assertEquals("nosniff", header(r, "X-Content-Type-Options"));
        assertEquals(List.of("mapped"), bufferKinds);
    }

    @Test
    void aBodyLargerThanOneMappingGoesOutInSeveral() throws Exception {
        // sparse: 64 MiB of zeros cost no disk, then a recognisable tail
        String id = "aaaa0000000000000000000000000000";
        Path file = new io.keyhole.tree.HashedTree(root, 2).pathOf(io.keyhole.FileId.parse(id));
        java.nio.file.Files.createDirectories(file.getParent());
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("tail!".getBytes(StandardCharsets.US_ASCII)), 64L * 1024 * 1024);
        }
        HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(base + "files/" + id)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        long zeros = 0;
        byte[] tail = new byte[5];
        try (java.io.InputStream in = r.body()) {
            byte[] chunk = new byte[1 << 16];
            long at = 0;
            for (int n; (n = in.read(chunk)) > 0; at += n) {
                for (int i = 0; i < n; i++) {
                    long pos = at + i;
                    if (pos < 64L * 1024 * 1024) {
                        zeros += chunk[i] == 0 ? 1 : 0;
                    } else {
                        tail[(int) (pos - 64L * 1024 * 1024)] = chunk[i];
                    }
                }
            }
        }
        assertEquals(64L * 1024 * 1024, zeros);
        assertEquals("tail!", new String(tail, StandardCharsets.US_ASCII));
        assertEquals(List.of("mapped", "mapped"), bufferKinds);
    }

    @Test
    void smallFileAndRanges() throws Exception {
        HttpResponse<byte[]> whole = Wire.send("GET", base + "files/" + TestTree.SMALL);
        assertArrayEquals(tree.small(), whole.body());
        HttpResponse<byte[]> part = Wire.send("GET", base + "files/" + TestTree.LARGE, "Range", "bytes=-100");
        assertEquals(206, part.statusCode());
        assertEquals("bytes 1499900-1499999/1500000", header(part, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(tree.large(), 1_499_900, 1_500_000), part.body());
        HttpResponse<byte[]> parts = Wire.send("GET", base + "files/" + TestTree.LARGE, "Range", "bytes=5-6,70000-169999");
        Wire.assertParts(parts, tree.large(), new long[][] {{5, 6}, {70_000, 169_999}});
    }

    @Test
    void headAnd304SendNoBody() throws Exception {
        HttpResponse<byte[]> h = Wire.send("HEAD", base + "files/" + TestTree.LARGE);
        assertEquals(200, h.statusCode());
        assertEquals("1500000", header(h, "Content-Length"));
        assertEquals(0, h.body().length);
        HttpResponse<byte[]> n = Wire.send("GET", base + "files/" + TestTree.LARGE, "If-None-Match", TestTree.ETAG);
        assertEquals(304, n.statusCode());
        assertEquals(0, n.body().length);
        assertEquals(List.of(), bufferKinds);
    }

    @Test
    void denialCarriesItsStatusAndMessage() throws Exception {
        HttpResponse<byte[]> r = Wire.send("GET", base + "files/00000000000000000000000000000000");
        assertEquals(403, r.statusCode());
        assertEquals("no-store", header(r, "Cache-Control"));
        assertEquals("forbidden\n", new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void otherPathsGoToTheNextHandler() throws Exception {
        HttpResponse<byte[]> r = Wire.send("GET", base + "index.html");
        assertEquals(200, r.statusCode());
        assertEquals("application", new String(r.body(), StandardCharsets.UTF_8));
    }

    /** The front server sends the bytes: the handler answers with the name, the filter's headers and no body. */
    @Test
    void offloadedDeliveryNamesTheFileForTheFrontServer() throws Exception {
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/").authorizer(TestTree.grant())
                .delivery(DeliveryMode.X_ACCEL_REDIRECT).accelPrefix("/protected/").build();
        try (Running s = Running.of(new KeyholeHandler(config))) {
            HttpResponse<byte[]> r = Wire.send("GET", s.base + "files/" + TestTree.LARGE, "Range", "bytes=0-9");
            assertEquals(200, r.statusCode());
            assertEquals("/protected/0/1/" + TestTree.LARGE, header(r, "X-Accel-Redirect"));
            assertEquals("0", header(r, "Content-Length"));
            assertEquals(null, header(r, "Content-Range"));
            assertEquals(null, header(r, "Accept-Ranges"));
            assertEquals(TestTree.ETAG, header(r, "ETag"));
            assertEquals(0, r.body().length);
        }
    }

    /** A reload serves the new configuration from the next request on; a refused one keeps the old. */
    @Test
    void reloadSwapsTheEngineAndHealthFollowsIt() throws Exception {
        KeyholeConfig grant = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(TestTree.grant()).build();
        KeyholeHandler handler = new KeyholeHandler(grant);
        try (Running s = Running.of(handler)) {
            assertEquals(200, Wire.send("GET", s.base + "files/" + TestTree.SMALL).statusCode());
            assertEquals("UP", handler.health().status());

            handler.reload(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                    .authorizer(q -> AuthResponse.ofStatus(403)).build(), java.time.Duration.ZERO);
            assertEquals(403, Wire.send("GET", s.base + "files/" + TestTree.SMALL).statusCode());

            KeyholeConfig tomcat = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                    .authorizer(TestTree.grant()).renderer("tomcat").build();
            assertEquals("KeyholeHandler renders through Jetty's core response; renderer=tomcat needs KeyholeFilter"
                    + " in that container", assertThrows(IllegalArgumentException.class,
                    () -> handler.reload(tomcat, java.time.Duration.ZERO)).getMessage());
            assertEquals(403, Wire.send("GET", s.base + "files/" + TestTree.SMALL).statusCode());
        }
        assertEquals("DOWN", handler.health().status(), "closed with the server");
    }

    /** A servlet-less server with {@code handler} alone. */
    private record Running(Server server, String base) implements AutoCloseable {
        static Running of(KeyholeHandler handler) throws Exception {
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            server.setHandler(handler);
            server.start();
            return new Running(server, "http://127.0.0.1:" + connector.getLocalPort() + "/");
        }

        @Override
        public void close() {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("stopping the server", e);
            }
        }
    }
}
