package io.keyhole.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.DeliveryMode;
import io.keyhole.KeyholeConfig;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.TestTree;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On Jetty the headers of every answer go straight into Jetty's own fields instead of through
 * {@code addHeader}. What crosses the wire must not change: each answer is asked of a context
 * that sets its headers Jetty's way and of one that sets them through the servlet API
 * ({@code renderer=stream}; for the front server's answers, where that key cannot be set, a
 * context whose response another filter wrapped), and the two must agree byte for byte, header by
 * header, in order. A wrapper another filter put around the response must see every header.
 */
class JettyHeadersTest {

    @TempDir
    Path root;
    Server server;
    int port;
    /** Headers each wrapping filter saw through its wrapper, by context path. */
    final Map<String, List<String>> seenByWrapper = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        TestTree.create(root, 300_000);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Sequence(
                context("/own", KeyholeConfig.builder(), false),
                context("/api", KeyholeConfig.builder().renderer("stream"), false),
                context("/wrapped", KeyholeConfig.builder(), true),
                context("/accel-own", accel(), false),
                context("/accel-wrapped", accel(), true)));
        server.start();
        port = connector.getLocalPort();
    }

    private static KeyholeConfig.Builder accel() {
        return KeyholeConfig.builder().delivery(DeliveryMode.X_ACCEL_REDIRECT).accelPrefix("/internal/");
    }

    private ServletContextHandler context(String path, KeyholeConfig.Builder config, boolean wrapped) {
        ServletContextHandler context = new ServletContextHandler(path);
        if (wrapped) {
            // as any filter that wraps the response without touching the body does
            context.addFilter(new FilterHolder((Filter) (req, res, chain) -> chain.doFilter(req,
                    new HttpServletResponseWrapper((HttpServletResponse) res) {
                        @Override
                        public void addHeader(String name, String value) {
                            seenByWrapper.computeIfAbsent(path, p -> new ArrayList<>()).add(name);
                            super.addHeader(name, value);
                        }
                    })), "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        KeyholeJetty.mount(context, config.fsRoot(root).fsDepth(2).mount("/files/").authorizer(TestTree.grant()).build());
        return context;
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    private RawHttp.Response ask(String context, String method, String id, String... headers) throws Exception {
        StringBuilder head = new StringBuilder(method + " /" + context + "/files/" + id + " HTTP/1.1\nHost: x");
        for (int i = 0; i < headers.length; i += 2) {
            head.append('\n').append(headers[i]).append(": ").append(headers[i + 1]);
        }
        return RawHttp.send(port, head.toString());
    }

    /** The response's header lines in order, without {@code Date}, which moves. */
    private static List<String> lines(RawHttp.Response r) {
        List<String> lines = new ArrayList<>();
        for (String[] h : r.headers()) {
            if (!h[0].equalsIgnoreCase("Date")) {
                lines.add(h[0] + ": " + h[1]);
            }
        }
        return lines;
    }

    private void assertSameAnswer(String own, String api, String method, String id, String... headers) throws Exception {
        RawHttp.Response a = ask(own, method, id, headers);
        RawHttp.Response b = ask(api, method, id, headers);
        assertEquals(b.status(), a.status(), method + " " + id);
        assertEquals(masked(lines(b).toString(), b), masked(lines(a).toString(), a), method + " " + id + " " + String.join(" ", headers));
        assertEquals(masked(new String(b.body(), StandardCharsets.ISO_8859_1), b),
                masked(new String(a.body(), StandardCharsets.ISO_8859_1), a));
    }

    /** {@code text} with the answer's multipart boundary, which is random, replaced by a fixed word. */
    private static String masked(String text, RawHttp.Response r) {
        String type = r.header("Content-Type");
        int at = type == null ? -1 : type.indexOf("boundary=");
        return at < 0 ? text : text.replace(type.substring(at + "boundary=".length()), "BOUNDARY");
    }

    @Test
    void everyKindOfAnswerCrossesTheWireAsThroughTheServletApi() throws Exception {
        // a small file (servlet stream), a large one (Jetty's core response), a range, HEAD
        assertSameAnswer("own", "api", "GET", TestTree.SMALL);
        assertSameAnswer("own", "api", "GET", TestTree.LARGE);
        assertSameAnswer("own", "api", "GET", TestTree.LARGE, "Range", "bytes=10-99");
        assertSameAnswer("own", "api", "GET", TestTree.LARGE, "Range", "bytes=0-9,200-299");
        assertSameAnswer("own", "api", "HEAD", TestTree.LARGE);
        // answers without a file: 304, 412, 416, a missing file, a malformed id, a method not allowed
        assertSameAnswer("own", "api", "GET", TestTree.LARGE, "If-None-Match", TestTree.ETAG);
        assertSameAnswer("own", "api", "GET", TestTree.LARGE, "If-Match", "\"other\"");
        assertSameAnswer("own", "api", "GET", TestTree.LARGE, "Range", "bytes=999999-");
        assertSameAnswer("own", "api", "GET", "00000000000000000000000000000000");
        assertSameAnswer("own", "api", "GET", "not-an-id");
        assertSameAnswer("own", "api", "DELETE", TestTree.SMALL);
        RawHttp.Response file = ask("own", "GET", TestTree.SMALL);
        assertEquals(200, file.status());
        assertEquals(TestTree.ETAG, file.header("ETag"));
        assertNotNull(file.header("Content-Type"));
        assertEquals(String.valueOf(file.body().length), file.header("Content-Length"));
    }

    @Test
    void theFrontServersAnswerCrossesTheWireAsThroughTheServletApi() throws Exception {
        assertSameAnswer("accel-own", "accel-wrapped", "GET", TestTree.SMALL);
        assertSameAnswer("accel-own", "accel-wrapped", "GET", TestTree.LARGE, "Range", "bytes=10-99");
        assertSameAnswer("accel-own", "accel-wrapped", "HEAD", TestTree.LARGE);
        assertSameAnswer("accel-own", "accel-wrapped", "GET", TestTree.LARGE, "If-None-Match", TestTree.ETAG);
        assertSameAnswer("accel-own", "accel-wrapped", "GET", "00000000000000000000000000000000");
        RawHttp.Response r = ask("accel-own", "GET", TestTree.SMALL);
        assertEquals(200, r.status());
        assertTrue(r.header("X-Accel-Redirect").startsWith("/internal/"), r.header("X-Accel-Redirect"));
        assertEquals("0", r.header("Content-Length"));
        assertEquals(0, r.body().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrapped", "accel-wrapped"})
    void aWrapperAroundTheResponseSeesEveryHeader(String context) throws Exception {
        String plain = context.startsWith("accel") ? "accel-own" : "own";
        for (String id : List.of(TestTree.SMALL, TestTree.LARGE)) {
            seenByWrapper.clear();
            RawHttp.Response r = ask(context, "GET", id);
            assertEquals(200, r.status());
            assertEquals(lines(ask(plain, "GET", id)), lines(r));
            List<String> expected = new ArrayList<>();
            for (String[] h : r.headers()) {
                // Content-Length goes through setContentLengthLong; Date, Server and Connection are Jetty's own
                if (!List.of("Date", "Server", "Connection", "Content-Length").contains(h[0])) {
                    expected.add(h[0]);
                }
            }
            assertEquals(expected, seenByWrapper.get("/" + context), id);
        }
    }
}
