package io.keyhole.jetty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.keyhole.AuthResponse;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import io.keyhole.testing.Wire;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyhole declared in a web application's {@code web.xml} and deployed as a {@link WebAppContext},
 * as a WAR is: the Jetty renderer engages there too. Shown as in {@link JettyRendererTest}: no
 * byte through the servlet output stream, pooled reads at 256 KiB, one mapping at 1.5 MB.
 */
class WebAppContextRenderingTest {

    /** Bytes written through the servlet output stream, one entry per request; filled by {@link StreamBytes}. */
    static final BlockingQueue<Long> SERVLET_STREAM_BYTES = new LinkedBlockingQueue<>();

    /** Declared first in web.xml: after the chain, how many bytes went through the servlet stream. */
    public static final class StreamBytes implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            chain.doFilter(req, res);
            SERVLET_STREAM_BYTES.add(ServletContextRequest.getServletContextRequest(req)
                    .getServletContextResponse().getHttpOutput().getWritten());
        }
    }

    @TempDir
    Path dir;
    TestTree tree;
    Server server;
    JsonSocketServer backend;
    String base;
    final List<String> bufferKinds = new CopyOnWriteArrayList<>();

    @BeforeEach
    void deploy() throws Exception {
        tree = TestTree.create(Files.createDirectory(dir.resolve("tree")), 1_500_000);
        Path socketDir = Files.createTempDirectory(Path.of("/tmp"), "kh-wa");
        backend = JsonSocketServer.start(socketDir.resolve("a.sock"), q -> new AuthResponse(200, "data.bin",
                "application/octet-stream", null, TestTree.ETAG, null, 1_700_000_000L, null));
        Path key = Files.write(dir.resolve("jwt.key"), Tokens.KEY);
        Path webapp = Files.createDirectories(dir.resolve("webapp/WEB-INF")).getParent();
        Files.writeString(webapp.resolve("WEB-INF/web.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <filter>
                    <filter-name>stream-bytes</filter-name>
                    <filter-class>%s</filter-class>
                  </filter>
                  <filter-mapping><filter-name>stream-bytes</filter-name><url-pattern>/*</url-pattern></filter-mapping>
                  <filter>
                    <filter-name>keyhole</filter-name>
                    <filter-class>io.keyhole.servlet.KeyholeFilter</filter-class>
                    <init-param><param-name>fs-root</param-name><param-value>%s</param-value></init-param>
                    <init-param><param-name>fs-depth</param-name><param-value>2</param-value></init-param>
                    <init-param><param-name>mount</param-name><param-value>/files/</param-value></init-param>
                    <init-param><param-name>unix-socket</param-name><param-value>%s</param-value></init-param>
                    <init-param><param-name>jwt-key</param-name><param-value>file:%s</param-value></init-param>
                    <init-param><param-name>jwt-field</param-name><param-value>uid</param-value></init-param>
                  </filter>
                  <filter-mapping><filter-name>keyhole</filter-name><url-pattern>/files/*</url-pattern></filter-mapping>
                </web-app>
                """.formatted(StreamBytes.class.getName(), tree.root(), backend.socket(), key), StandardCharsets.UTF_8);

        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        WebAppContext context = new WebAppContext();
        context.setContextPath("/app");
        context.setBaseResourceAsPath(webapp);
        // The filter's classes come from the test class path, as they would from WEB-INF/lib.
        context.setParentLoaderPriority(true);
        server.setHandler(ProcMaps.recordingBufferKinds(context, bufferKinds));
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort() + "/app/files/";
        SERVLET_STREAM_BYTES.clear();
    }

    @AfterEach
    void undeploy() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private HttpResponse<byte[]> get(String id, String... headers) throws Exception {
        bufferKinds.clear();
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Authorization";
        all[headers.length + 1] = "Bearer " + Tokens.valid("alice");
        return Wire.send("GET", base + id, all);
    }

    private static long streamed() throws InterruptedException {
        Long n = SERVLET_STREAM_BYTES.poll(30, TimeUnit.SECONDS);
        assertNotNull(n, "the request did not finish");
        return n;
    }

    @Test
    void a256KiBBodyGoesThroughTheCoreResponseNotTheServletStream() throws Exception {
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=0-262143");
        assertEquals(206, r.statusCode());
        assertArrayEquals(Arrays.copyOfRange(tree.large(), 0, 262_144), r.body());
        assertEquals(0, streamed(), "the servlet output stream must not carry the body");
        assertEquals(Collections.nCopies(8, "other"), bufferKinds, "eight pooled reads of 32 KiB");
    }

    /**
     * Two requests on one connection, the second sent once the first is answered: a body that went
     * below the servlet stream must not leave Jetty's servlet layer thinking it incomplete, which
     * would end the connection after every such response.
     */
    @Test
    void theConnectionServesTheNextRequestAfterACoreResponseBody() throws Exception {
        URI uri = URI.create(base);
        String request = "GET " + uri.getPath() + TestTree.LARGE + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer " + Tokens.valid("alice") + "\r\n\r\n";
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", uri.getPort()), 5000);
            socket.setSoTimeout(30_000);
            for (int i = 0; i < 2; i++) {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                RawHttp.Response r = RawHttp.read(socket.getInputStream(), false);
                assertEquals(200, r.status(), "response " + (i + 1));
                assertArrayEquals(tree.large(), r.body(), "response " + (i + 1));
                assertNull(r.header("Connection"), "response " + (i + 1) + " must not close the connection");
                assertEquals(0, streamed());
            }
        }
    }

    @Test
    void aLargeFileIsMapped() throws Exception {
        HttpResponse<byte[]> r = get(TestTree.LARGE);
        assertEquals(200, r.statusCode());
        assertArrayEquals(tree.large(), r.body());
        assertEquals(0, streamed());
        assertEquals(List.of("mapped"), bufferKinds);
    }
}
