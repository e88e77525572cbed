package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.keyhole.FileId;
import io.keyhole.testing.FakeBackend;
import io.keyhole.testing.RawHttp;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter asking its backend over TCP and over HTTP, configured by text keys. */
class TransportsTest {

    static final String ID = "abcdef0123456789";

    @TempDir
    Path dir;

    @BeforeEach
    void file() throws IOException {
        Path file = new HashedTree(dir, 2).pathOf(FileId.parse(ID));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "over the wire");
    }

    private JettyHarness keyhole(Map<String, String> transport) throws Exception {
        Map<String, String> params = new java.util.HashMap<>(Map.of("fs-root", dir.toString(), "fs-depth", "2",
                "auth-timeout", "1500ms"));
        params.putAll(transport);
        return JettyHarness.start(params);
    }

    @Test
    void tcpGrantsDeniesAndFailsClosed() throws Exception {
        try (FakeBackend backend = FakeBackend.startTcp(q -> q.contains("\"uri\":\"/" + ID + "\"")
                ? "{\"status\":200,\"content_type\":\"text/plain\"}" : "{\"status\":403}");
             JettyHarness jetty = keyhole(Map.of("transport-type", "tcp", "tcp-host", backend.host(),
                     "tcp-port", Integer.toString(backend.port())))) {
            RawHttp.Response ok = RawHttp.request(jetty.port(), "GET", "/" + ID);
            assertEquals(200, ok.status());
            assertEquals("over the wire", ok.text());
            assertEquals(403, RawHttp.request(jetty.port(), "GET", "/0123456789abcdef").status());
            backend.mode(FakeBackend.Mode.HANG);
            assertEquals(504, RawHttp.request(jetty.port(), "GET", "/" + ID).status());
            backend.mode(FakeBackend.Mode.GARBAGE);
            assertEquals(502, RawHttp.request(jetty.port(), "GET", "/" + ID).status());
        }
    }

    @Test
    void tcpRefusedGives503() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (JettyHarness jetty = keyhole(Map.of("transport-type", "tcp", "tcp-host", "127.0.0.1",
                "tcp-port", Integer.toString(closedPort)))) {
            assertEquals(503, RawHttp.request(jetty.port(), "GET", "/" + ID).status());
        }
    }

    @Test
    void httpPostsTheQuestionAndReadsTheAnswer() throws Exception {
        List<String> questions = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/authorise", exchange -> {
            String question = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            questions.add(exchange.getRequestMethod() + " " + exchange.getRequestHeaders().getFirst("Content-Type")
                    + " " + question);
            byte[] answer = (question.contains(ID) ? "{\"status\":200,\"filename\":\"a.txt\"}" : "{\"status\":404}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        try (JettyHarness jetty = keyhole(Map.of("transport-type", "http",
                "http-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/authorise"))) {
            RawHttp.Response ok = RawHttp.request(jetty.port(), "GET", "/" + ID);
            assertEquals(200, ok.status());
            assertEquals("over the wire", ok.text());
            assertEquals("inline; filename=\"a.txt\"", ok.header("Content-Disposition"));
            assertEquals(404, RawHttp.request(jetty.port(), "GET", "/0123456789abcdef").status());
            assertTrue(questions.get(0).startsWith("POST application/json {\"uri\":\"/" + ID + "\"}"), questions.get(0));
        } finally {
            server.stop(0);
        }
    }
}
