package io.keyhole.tomcat;

import static io.keyhole.testing.Wire.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.KeyholeConfig;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Wire;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.catalina.util.ServerInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Keyhole on embedded Tomcat, as the filter (which finds the Tomcat renderer by itself) and as
 * the valve. The build runs this class on Tomcat 11 and again on Tomcat 10.1. Bodies are checked
 * byte for byte on the wire; the probe valve shows whether they went by sendfile.
 */
class TomcatRenderingTest {

    /** The two ways to install Keyhole in Tomcat. */
    enum Mode {
        FILTER(config -> context -> KeyholeTomcat.mount(context, config)),
        VALVE(config -> context -> context.getPipeline().addValve(new KeyholeValve(config)));

        final Function<KeyholeConfig, java.util.function.Consumer<org.apache.catalina.Context>> install;

        Mode(Function<KeyholeConfig, java.util.function.Consumer<org.apache.catalina.Context>> install) {
            this.install = install;
        }
    }

    @TempDir
    Path root;
    @TempDir
    Path base;
    TestTree tree;
    TomcatServer tomcat;

    @BeforeEach
    void tree() throws Exception {
        tree = TestTree.create(root, 300_000);
    }

    @AfterEach
    void stop() throws Exception {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    private TomcatServer start(Mode mode, KeyholeConfig.Builder config) throws Exception {
        tomcat = new TomcatServer(base);
        return tomcat.start(mode.install.apply(
                config.fsRoot(root).fsDepth(2).mount("/files/").authorizer(TestTree.grant()).build()));
    }

    private HttpResponse<byte[]> get(String id, String... headers) throws Exception {
        tomcat.forget();
        return Wire.send("GET", tomcat.base() + "files/" + id, headers);
    }

    @Test
    void runsOnTheTomcatThisExecutionIsFor() {
        String expected = System.getProperty("keyhole.tomcat.expected");
        assertTrue(ServerInfo.getServerNumber().startsWith(expected), ServerInfo.getServerInfo() + " is not " + expected);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void largeFileGoesBySendfile(Mode mode) throws Exception {
        start(mode, KeyholeConfig.builder());
        HttpResponse<byte[]> r = get(TestTree.LARGE);
        assertEquals(200, r.statusCode());
        assertArrayEquals(tree.large(), r.body());
        assertEquals("300000", header(r, "Content-Length"));
        assertEquals(TestTree.ETAG, header(r, "ETag"));
        TomcatServer.Seen seen = tomcat.seen();
        assertEquals(root.resolve("0/1/" + TestTree.LARGE).toRealPath().toString(), seen.sendfile());
        assertEquals(0L, seen.start());
        assertEquals(300_000L, seen.end());
        assertEquals(0, seen.written(), "the output stream must not carry the body");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void largeRangeGoesBySendfile(Mode mode) throws Exception {
        start(mode, KeyholeConfig.builder());
        // RFC 9110 §14.1.2: both positions inclusive
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=1000-199999");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 1000-199999/300000", header(r, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(tree.large(), 1000, 200_000), r.body());
        TomcatServer.Seen seen = tomcat.seen();
        assertEquals(1000L, seen.start());
        assertEquals(200_000L, seen.end(), "the end attribute is exclusive");
        assertEquals(0, seen.written());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void smallFilesAndSmallRangesAreStreamed(Mode mode) throws Exception {
        start(mode, KeyholeConfig.builder());
        HttpResponse<byte[]> whole = get(TestTree.SMALL);
        assertArrayEquals(tree.small(), whole.body());
        assertEquals(new TomcatServer.Seen(null, null, null, 1000), tomcat.seen());
        // 48 KiB is Tomcat's own sendfileSize; a region of exactly that size is still streamed
        HttpResponse<byte[]> part = get(TestTree.LARGE, "Range", "bytes=0-49151");
        assertArrayEquals(Arrays.copyOfRange(tree.large(), 0, 49_152), part.body());
        assertEquals(new TomcatServer.Seen(null, null, null, 49_152), tomcat.seen());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void severalRangesAreStreamedAsMultipart(Mode mode) throws Exception {
        start(mode, KeyholeConfig.builder());
        // RFC 9110 §14.6: sendfile sends one region, so the parts are streamed
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=0-9,100000-199999,-5");
        assertEquals(206, r.statusCode());
        Wire.assertParts(r, tree.large(), new long[][] {{0, 9}, {100_000, 199_999}, {299_995, 299_999}});
        assertNull(tomcat.seen().sendfile());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void headAnswersLikeGetWithoutBodyOrSendfile(Mode mode) throws Exception {
        start(mode, KeyholeConfig.builder());
        HttpResponse<byte[]> g = get(TestTree.LARGE);
        tomcat.seen();
        HttpResponse<byte[]> h = Wire.send("HEAD", tomcat.base() + "files/" + TestTree.LARGE);
        assertEquals(200, h.statusCode());
        assertEquals(0, h.body().length);
        for (String name : List.of("Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges")) {
            assertEquals(header(g, name), header(h, name), name);
        }
        assertEquals(new TomcatServer.Seen(null, null, null, 0), tomcat.seen());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void matchingIfNoneMatchGives304(Mode mode) throws Exception {
        start(mode, KeyholeConfig.builder());
        HttpResponse<byte[]> r = get(TestTree.LARGE, "If-None-Match", TestTree.ETAG);
        assertEquals(304, r.statusCode());
        assertEquals(0, r.body().length);
        assertEquals(TestTree.ETAG, header(r, "ETag"));
        assertEquals(new TomcatServer.Seen(null, null, null, 0), tomcat.seen());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void otherPathsReachTheApplication(Mode mode) throws Exception {
        start(mode, KeyholeConfig.builder());
        HttpResponse<byte[]> r = Wire.send("GET", tomcat.base() + "index.html");
        assertEquals(404, r.statusCode());
        assertEquals("application", new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The headers Keyhole sets for a range of a file, other than those Tomcat derives (Content-Type, Content-Length). */
    private static final List<String> KEYHOLES_OWN = List.of("ETag", "Last-Modified", "Accept-Ranges", "Content-Range",
            "Cache-Control", "Content-Disposition", "X-Content-Type-Options", "Content-Security-Policy");

    /**
     * On Tomcat's own response Keyhole hands its headers over as bytes, which Tomcat copies out
     * without encoding them again; the response on the wire is the one the servlet API gives
     * ({@code renderer=stream} sets every header as a string), line for line.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void headersHeldAsBytesGoOutAsTheServletApiSendsThem(Mode mode) throws Exception {
        start(mode, KeyholeConfig.builder());
        String path = "/app/files/" + TestTree.SMALL;
        List<String> asBytes = headerLines(path, "Range: bytes=0-99");
        tomcat.seen();
        java.util.Map<String, Boolean> held = tomcat.heldAsBytes();
        for (String name : KEYHOLES_OWN) {
            assertEquals(Boolean.TRUE, held.get(name), name + " as bytes, in " + held);
        }
        tomcat.close();
        start(mode, KeyholeConfig.builder().renderer("stream"));
        List<String> asStrings = headerLines(path, "Range: bytes=0-99");
        tomcat.seen();
        for (String name : KEYHOLES_OWN) {
            assertEquals(Boolean.FALSE, tomcat.heldAsBytes().get(name), name + " with renderer=stream");
        }
        assertEquals(asStrings, asBytes);
        assertTrue(asBytes.contains("Content-Range: bytes 0-99/1000"), String.valueOf(asBytes));
    }

    /**
     * When nginx sends the file, Keyhole's answer (X-Accel-Redirect and the representation
     * headers, no body) and its answers without a file (a 304) are held as bytes too, and go out
     * as through the servlet API: as from a response another filter wrapped, whose headers all
     * go through it.
     */
    @Test
    void theFrontServersAnswerIsHeldAsBytesAndGoesOutAsTheServletApiSendsIt() throws Exception {
        KeyholeConfig accel = KeyholeConfig.builder().delivery(io.keyhole.DeliveryMode.X_ACCEL_REDIRECT)
                .accelPrefix("/internal/").fsRoot(root).fsDepth(2).mount("/files/").authorizer(TestTree.grant()).build();
        String path = "/app/files/" + TestTree.LARGE;
        start(Mode.FILTER, KeyholeConfig.builder().delivery(io.keyhole.DeliveryMode.X_ACCEL_REDIRECT).accelPrefix("/internal/"));
        List<String> asBytes = headerLines(path);
        tomcat.seen();
        java.util.Map<String, Boolean> held = tomcat.heldAsBytes();
        for (String name : List.of("ETag", "Last-Modified", "Cache-Control", "X-Accel-Redirect", "Content-Security-Policy")) {
            assertEquals(Boolean.TRUE, held.get(name), name + " as bytes, in " + held);
        }
        List<String> notModified = headerLines(path, "If-None-Match: " + TestTree.ETAG);
        tomcat.seen();
        assertEquals(Boolean.TRUE, tomcat.heldAsBytes().get("ETag"), "the 304's ETag as bytes");
        tomcat.close();

        tomcat = new TomcatServer(base);
        tomcat.filterFirst((req, res, chain) -> chain.doFilter(req, new HttpServletResponseWrapper((HttpServletResponse) res)));
        tomcat.start(Mode.FILTER.install.apply(accel));
        List<String> asStrings = headerLines(path);
        tomcat.seen();
        assertEquals(Boolean.FALSE, tomcat.heldAsBytes().get("X-Accel-Redirect"), "through the wrapper");
        assertEquals(asStrings, asBytes);
        assertEquals(headerLines(path, "If-None-Match: " + TestTree.ETAG), notModified);
        assertEquals("status 200", asBytes.get(0));
        assertTrue(asBytes.contains("X-Accel-Redirect: /internal/0/1/" + TestTree.LARGE), String.valueOf(asBytes));
        assertTrue(asBytes.contains("Content-Length: 0"), String.valueOf(asBytes));
        assertEquals("status 304", notModified.get(0));
    }

    /** A wrapper another filter put around the response sees every header it is given: no bytes behind its back. */
    @Test
    void aWrappedResponseGetsItsHeadersThroughTheServletApi() throws Exception {
        tomcat = new TomcatServer(base);
        List<String> seenByWrapper = new java.util.concurrent.CopyOnWriteArrayList<>();
        tomcat.filterFirst((req, res, chain) -> chain.doFilter(req, new HttpServletResponseWrapper((HttpServletResponse) res) {
            @Override
            public void addHeader(String name, String value) {
                seenByWrapper.add(name);
                super.addHeader(name, value);
            }
        }));
        tomcat.start(Mode.FILTER.install.apply(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(TestTree.grant()).build()));
        List<String> lines = headerLines("/app/files/" + TestTree.SMALL);
        tomcat.seen();
        assertTrue(lines.contains("ETag: " + TestTree.ETAG), String.valueOf(lines));
        assertTrue(seenByWrapper.containsAll(List.of("ETag", "Last-Modified", "X-Content-Type-Options")),
                String.valueOf(seenByWrapper));
        for (String name : KEYHOLES_OWN) {
            assertEquals(name.equals("Content-Range") ? null : Boolean.FALSE, tomcat.heldAsBytes().get(name), name);
        }
    }

    /**
     * The status and the header lines of a GET as they came off the socket, in their order,
     * without {@code Date} (which differs between two requests).
     */
    private List<String> headerLines(String path, String... requestHeaders) throws Exception {
        tomcat.forget();
        RawHttp.Response r = RawHttp.request(java.net.URI.create(tomcat.base()).getPort(), "GET", path, requestHeaders);
        List<String> lines = new java.util.ArrayList<>();
        lines.add("status " + r.status());
        for (String[] h : r.headers()) {
            if (!h[0].equalsIgnoreCase("Date")) {
                lines.add(h[0] + ": " + h[1]);
            }
        }
        return lines;
    }

    /** As Spring Security wraps every request and response: standard wrappers that leave the body alone. */
    @Test
    void behindStandardWrappersTheFileStillGoesBySendfile() throws Exception {
        tomcat = new TomcatServer(base);
        tomcat.filterFirst((req, res, chain) -> chain.doFilter(
                new HttpServletRequestWrapper((HttpServletRequest) req) {
                    @Override
                    public void setAttribute(String name, Object o) {
                        // a wrapper that keeps attributes to itself must not stop sendfile
                    }
                },
                new HttpServletResponseWrapper((HttpServletResponse) res) {
                    @Override
                    public void setHeader(String name, String value) {
                        super.setHeader(name, value);
                    }
                }));
        tomcat.start(Mode.FILTER.install.apply(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(TestTree.grant()).build()));
        HttpResponse<byte[]> r = get(TestTree.LARGE, "Range", "bytes=0-262143");
        assertEquals(206, r.statusCode());
        assertArrayEquals(Arrays.copyOfRange(tree.large(), 0, 262_144), r.body());
        TomcatServer.Seen seen = tomcat.seen();
        assertEquals(root.resolve("0/1/" + TestTree.LARGE).toRealPath().toString(), seen.sendfile());
        assertEquals(0L, seen.start());
        assertEquals(262_144L, seen.end());
        assertEquals(0, seen.written(), "the output stream must not carry the body");
    }

    @Test
    void aWrapperThatWantsTheBodyGetsItStreamed() throws Exception {
        // Tomcat's connector would send the file behind the wrapper's back: stream instead.
        tomcat = new TomcatServer(base);
        tomcat.filterFirst((req, res, chain) -> chain.doFilter(req, new HttpServletResponseWrapper((HttpServletResponse) res) {
            @Override
            public jakarta.servlet.ServletOutputStream getOutputStream() throws java.io.IOException {
                return super.getOutputStream();
            }
        }));
        tomcat.start(Mode.FILTER.install.apply(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(TestTree.grant()).build()));
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("io.keyhole.internal.tomcat.SendfileRenderer");
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler recorder = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                warnings.add(java.text.MessageFormat.format(record.getMessage(), record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(recorder);
        try {
            for (int i = 0; i < 2; i++) {
                HttpResponse<byte[]> r = get(TestTree.LARGE);
                assertArrayEquals(tree.large(), r.body());
                assertEquals(new TomcatServer.Seen(null, null, null, 300_000), tomcat.seen());
            }
        } finally {
            log.removeHandler(recorder);
        }
        assertEquals(1, warnings.size(), "said once: " + warnings);
        assertTrue(warnings.get(0).contains("the response is wrapped by " + TomcatRenderingTest.class.getName()),
                warnings.get(0));
    }

    @Test
    void rendererStreamTurnsSendfileOff() throws Exception {
        start(Mode.FILTER, KeyholeConfig.builder().renderer("stream"));
        HttpResponse<byte[]> r = get(TestTree.LARGE);
        assertArrayEquals(tree.large(), r.body());
        assertEquals(new TomcatServer.Seen(null, null, null, 300_000), tomcat.seen());
    }

    @Test
    void rendererJettyOnTomcatStopsTheStart() {
        tomcat = new TomcatServer(base);
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(TestTree.grant()).renderer("jetty").build();
        KeyholeValve valve = new KeyholeValve(config);
        Exception e = assertThrows(Exception.class, () -> tomcat.start(context -> context.getPipeline().addValve(valve)));
        Throwable cause = e;
        while (cause != null && !String.valueOf(cause.getMessage()).contains("renderer=jetty")) {
            cause = cause.getCause();
        }
        assertTrue(cause != null && cause.getMessage().contains("renderer=jetty is not on the class path (found: tomcat)"),
                String.valueOf(e));
    }

    @Test
    void valveTakesItsKeysAsAttributes() throws Exception {
        tomcat = new TomcatServer(base);
        KeyholeValve valve = new KeyholeValve();
        // as Tomcat's digester does for <Valve className="io.keyhole.tomcat.KeyholeValve" fs-root="..." .../>
        assertTrue(valve.setProperty("fs-root", root.toString()));
        assertTrue(valve.setProperty("fs-depth", "2"));
        assertTrue(valve.setProperty("mount", "/files/"));
        assertTrue(valve.setProperty("unix-socket", base.resolve("none.sock").toString()));
        tomcat.start(context -> context.getPipeline().addValve(valve));
        // no backend listens: Keyhole answers, and fails closed
        HttpResponse<byte[]> r = get(TestTree.LARGE);
        assertEquals(503, r.statusCode());
    }

    @Test
    void anUnknownAttributeStopsTheValveNamingTheNearestKey() throws Exception {
        tomcat = new TomcatServer(base);
        KeyholeValve valve = new KeyholeValve();
        assertTrue(valve.setProperty("fs-root", root.toString()));
        // false makes Tomcat's digester warn about the attribute as it reads context.xml
        assertFalse(valve.setProperty("unix-sokcet", base.resolve("none.sock").toString()));
        Exception e = assertThrows(Exception.class, () -> tomcat.start(context -> context.getPipeline().addValve(valve)));
        Throwable cause = e;
        while (cause != null && !String.valueOf(cause.getMessage()).contains("misconfigured")) {
            cause = cause.getCause();
        }
        assertTrue(cause != null && cause.getMessage().contains("is misconfigured: unknown configuration key"
                + " 'unix-sokcet'; known: ") && cause.getMessage().endsWith("; did you mean 'unix-socket'?"),
                String.valueOf(cause != null ? cause : e));
    }
}
