package io.keyhole.jetty;

import static io.keyhole.testing.Wire.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.KeyholeFilter;
import io.keyhole.testing.LogCapture;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Wire;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KeyholeFilter on embedded Jetty 12 picks the Jetty renderer by itself. Each answer is checked
 * on the bytes that crossed the wire; that the zero-copy path was taken is checked where Jetty
 * can tell: the servlet output stream wrote nothing, and (from 1 MiB) the body reached the
 * connection as mapped buffers.
 */
class JettyRendererTest {

    @TempDir
    Path root;
    TestTree tree;
    Server server;
    String base;
    /**
     * Bytes written through the servlet output stream, one entry per request. Recorded after
     * the filter chain returned, which may be after the client has the whole response.
     */
    final BlockingQueue<Long> servletStreamBytes = new LinkedBlockingQueue<>();
    /** Kinds of the buffers that reached the core response below the servlet layer. */
    final List<String> bufferKinds = new CopyOnWriteArrayList<>();

    @BeforeEach
    void tree() throws Exception {
        tree = TestTree.create(root, 1_500_000);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    private void start(KeyholeConfig.Builder config, Filter before) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(new FilterHolder((Filter) (req, res, chain) -> {
            chain.doFilter(req, res);
            servletStreamBytes.add(ServletContextRequest.getServletContextRequest(req)
                    .getServletContextResponse().getHttpOutput().getWritten());
        }), "/*", EnumSet.of(DispatcherType.REQUEST));
        if (before != null) {
            context.addFilter(new FilterHolder(before), "/*", EnumSet.of(DispatcherType.REQUEST));
        }
        KeyholeJetty.mount(context, config.fsRoot(root).fsDepth(2).mount("/files/").authorizer(TestTree.grant()).build());
        server.setHandler(ProcMaps.recordingBufferKinds(context, bufferKinds));
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort() + "/app/files/";
    }

    /** Starts with a filter before Keyhole that hands it the response wrapped by {@code wrap}. */
    private void startBehind(UnaryOperator<HttpServletResponse> wrap) throws Exception {
        start(KeyholeConfig.builder(), (req, res, chain) -> chain.doFilter(req, wrap.apply((HttpServletResponse) res)));
    }

    private HttpResponse<byte[]> get(String id, String... headers) throws Exception {
        servletStreamBytes.clear();
        bufferKinds.clear();
        return Wire.send("GET", base + id, headers);
    }

    private long streamed() throws InterruptedException {
        Long n = servletStreamBytes.poll(30, TimeUnit.SECONDS);
        assertNotNull(n, "the request did not finish");
        return n;
    }

    @Test
    void largeFileGoesThroughTheCoreResponseMapped() throws Exception {
        start(KeyholeConfig.builder(), null);
        HttpResponse<byte[]> r = get(TestTree.LARGE);
        assertEquals(200, r.statusCode());
        assertArrayEquals(tree.large(), r.body());
        assertEquals("1500000", header(r, "Content-Length"));
        assertEquals(TestTree.ETAG, header(r, "ETag"));
        assertEquals("bytes", header(r, "Accept-Ranges"));
        assertEquals(0, streamed(), "the servlet output stream must not carry the body");
        // 1,500,000 bytes: one mapping
        assertEquals(List.of("mapped"), bufferKinds);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bytes=10-899"})
    void smallBodiesGoThroughTheServletStream(String range) throws Exception {
        // 64 KiB or less: one write of headers and body from the servlet stream's buffer is cheaper
        start(KeyholeConfig.builder(), null);
        HttpResponse<byte[]> r = range.isEmpty() ? get(TestTree.SMALL) : get(TestTree.LARGE, "Range", range);
        byte[] expected = range.isEmpty() ? tree.small() : Arrays.copyOfRange(tree.large(), 10, 900);
        assertEquals(range.isEmpty() ? 200 : 206, r.statusCode());
        assertArrayEquals(expected, r.body());
        assertEquals(expected.length, streamed());
        assertFalse(bufferKinds.contains("mapped"), bufferKinds.toString());
    }

    @Test
    void midSizeBodyGoesThroughTheCoreResponseInPooledReads() throws Exception {
        start(KeyholeConfig.builder(), null);
        // 300,000 bytes: above what is streamed, below what is mapped; ten reads of at most 32 KiB
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=0-299999");
        assertEquals(206, r.statusCode());
        assertArrayEquals(Arrays.copyOfRange(tree.large(), 0, 300_000), r.body());
        assertEquals(0, streamed());
        assertEquals(java.util.Collections.nCopies(10, "other"), bufferKinds);
    }

    @Test
    void largeRangeIsMapped() throws Exception {
        start(KeyholeConfig.builder(), null);
        // RFC 9110 §14.1.2: an open range runs to the end
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=1000-");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 1000-1499999/1500000", header(r, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(tree.large(), 1000, tree.large().length), r.body());
        assertEquals(List.of("mapped"), bufferKinds);
        assertEquals(0, streamed());
    }

    @Test
    void severalRangesGiveMultipartByteranges() throws Exception {
        start(KeyholeConfig.builder(), null);
        // RFC 9110 §14.6: one part per range, in the order asked
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=0-9,100000-1199999,-5");
        assertEquals(206, r.statusCode());
        long n = tree.large().length;
        Wire.assertParts(r, tree.large(), new long[][] {{0, 9}, {100_000, 1_199_999}, {n - 5, n - 1}});
        assertEquals(0, streamed());
        assertTrue(bufferKinds.contains("mapped"), bufferKinds.toString());
    }

    @Test
    void headAnswersLikeGetWithoutBody() throws Exception {
        start(KeyholeConfig.builder(), null);
        HttpResponse<byte[]> g = get(TestTree.LARGE);
        HttpResponse<byte[]> h = Wire.send("HEAD", base + TestTree.LARGE);
        assertEquals(200, h.statusCode());
        assertEquals(0, h.body().length);
        for (String name : List.of("Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges")) {
            assertEquals(header(g, name), header(h, name), name);
        }
    }

    @Test
    void matchingIfNoneMatchGives304WithoutBody() throws Exception {
        start(KeyholeConfig.builder(), null);
        HttpResponse<byte[]> r = get(TestTree.LARGE, "If-None-Match", TestTree.ETAG);
        assertEquals(304, r.statusCode());
        assertEquals(0, r.body().length);
        assertEquals(TestTree.ETAG, header(r, "ETag"));
        assertEquals(List.of(), bufferKinds);
    }

    @Test
    void aWrapperThatWantsTheBodyKeepsTheServletStream() throws Exception {
        // A compressing or caching wrapper transforms what is written: only the servlet stream lets it see the bytes.
        startBehind(res -> new HttpServletResponseWrapper(res) {
            @Override
            public ServletOutputStream getOutputStream() throws IOException {
                return super.getOutputStream();
            }
        });
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> r = get(TestTree.LARGE);
                assertEquals(200, r.statusCode());
                assertArrayEquals(tree.large(), r.body());
                assertEquals(tree.large().length, streamed());
                assertFalse(bufferKinds.contains("mapped"), bufferKinds.toString());
            }
            List<String> said = log.containing("zero-copy path cannot be used");
            assertEquals(1, said.size(), "said once: " + said);
            assertTrue(said.get(0).contains("the response is wrapped by " + JettyRendererTest.class.getName()), said.get(0));
        }
    }

    /**
     * As Spring Security's HeaderWriterFilter does: a standard wrapper that leaves the body alone
     * and adds a header when the response is committed. The body goes below it, after the
     * commit went through it.
     */
    @Test
    void behindAStandardWrapperTheBodyGoesBelowItAfterTheCommitWentThroughIt() throws Exception {
        startBehind(res -> new HttpServletResponseWrapper(res) {
            @Override
            public void flushBuffer() throws IOException {
                setHeader("X-Committed-Through", "the wrapper");
                super.flushBuffer();
            }
        });
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=0-262143");
        assertEquals(206, r.statusCode());
        assertArrayEquals(Arrays.copyOfRange(tree.large(), 0, 262_144), r.body());
        assertEquals("the wrapper", header(r, "X-Committed-Through"));
        assertEquals(0, streamed(), "the servlet output stream must not carry the body");
        assertEquals(java.util.Collections.nCopies(8, "other"), bufferKinds);

        r = get(TestTree.LARGE);
        assertArrayEquals(tree.large(), r.body());
        assertEquals("the wrapper", header(r, "X-Committed-Through"));
        assertEquals(0, streamed());
        assertEquals(List.of("mapped"), bufferKinds);
    }

    @Test
    void rendererStreamForcesTheServletStream() throws Exception {
        start(KeyholeConfig.builder().renderer("stream"), null);
        HttpResponse<byte[]> r = get(TestTree.LARGE);
        assertArrayEquals(tree.large(), r.body());
        assertEquals(tree.large().length, streamed());
    }

    @Test
    void rendererJettyIsAcceptedOnJetty() throws Exception {
        start(KeyholeConfig.builder().properties(java.util.Map.of("renderer", "jetty")), null);
        HttpResponse<byte[]> r = get(TestTree.LARGE);
        assertArrayEquals(tree.large(), r.body());
        assertEquals(0, streamed());
    }

    @Test
    void aRendererThatIsNotOnTheClassPathStopsTheStart() {
        Exception e = assertThrows(Exception.class, () -> start(KeyholeConfig.builder().renderer("tomcat"), null));
        Throwable cause = e;
        while (cause.getCause() != null && !String.valueOf(cause.getMessage()).contains("renderer=")) {
            cause = cause.getCause();
        }
        assertTrue(String.valueOf(cause.getMessage()).contains("renderer=tomcat is not on the class path (found: jetty)"),
                String.valueOf(cause.getMessage()));
    }

    /**
     * The same path in a servlet context of Jetty's ee11 layer, which Spring Boot 4.0 runs: its
     * classes are ee10's in another package, hence the full names.
     */
    @Nested
    class InJettysEe11Layer {

        @BeforeEach
        void startEe11() throws Exception {
            server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            var context = new org.eclipse.jetty.ee11.servlet.ServletContextHandler("/app");
            context.addFilter(new org.eclipse.jetty.ee11.servlet.FilterHolder((Filter) (req, res, chain) -> {
                chain.doFilter(req, res);
                servletStreamBytes.add(org.eclipse.jetty.ee11.servlet.ServletContextRequest.getServletContextRequest(req)
                        .getServletContextResponse().getHttpOutput().getWritten());
            }), "/*", EnumSet.of(DispatcherType.REQUEST));
            KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                    .authorizer(TestTree.grant()).build();
            context.addFilter(new org.eclipse.jetty.ee11.servlet.FilterHolder(new KeyholeFilter(config)), "/files/*",
                    EnumSet.of(DispatcherType.REQUEST));
            server.setHandler(ProcMaps.recordingBufferKinds(context, bufferKinds));
            server.start();
            base = "http://127.0.0.1:" + connector.getLocalPort() + "/app/files/";
        }

        /** 256 KiB in eight pooled reads of 32 KiB, the whole 1.5 MB in one mapping. */
        @ParameterizedTest
        @ValueSource(ints = {262_144, 1_500_000})
        void theBodyGoesBelowTheServletStream(int length) throws Exception {
            HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=0-" + (length - 1));
            assertEquals(206, r.statusCode());
            assertArrayEquals(Arrays.copyOf(tree.large(), length), r.body());
            assertEquals(0, streamed(), "the servlet output stream must not carry the body");
            assertEquals(length < 1024 * 1024 ? java.util.Collections.nCopies(8, "other") : List.of("mapped"), bufferKinds);
        }
    }
}
