package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.KeyholeConfig;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import io.keyhole.media.TokenCheck;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.TestClock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application's media endpoint: 302 with a token for a permitted user, 302 without one for
 * public media, 403 otherwise; the file itself in development mode. And the whole round trip
 * through two real servers, with a client that keeps cookies per host as browsers do.
 */
class MediaAuthServletTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String KEY = "0123456789abcdef0123456789abcdef";
    static final byte[] SECRET = "alice's secret report".getBytes(StandardCharsets.UTF_8);
    static final byte[] LOGO = "public logo".getBytes(StandardCharsets.UTF_8);

    /** A media object of the application under test. */
    record Doc(String file, String owner, boolean open) {
    }

    static final Map<String, Doc> DOCS = Map.of(
            "docs/report.pdf", new Doc("docs/report.pdf", "alice", false),
            "public/logo.png", new Doc("public/logo.png", "alice", true));

    static final class DocAuth extends CrossDomainMediaAuth<Doc> {
        DocAuth(CrossDomainMedia media, Doc doc) {
            super(media, doc);
        }

        @Override
        public boolean isMediaPublic() {
            return context().open();
        }

        @Override
        public boolean hasPermission(HttpServletRequest request) {
            HttpSession session = request.getSession(false);
            return session != null && context().owner().equals(session.getAttribute("user"));
        }

        @Override
        public String mediaFilePath() {
            return context().file();
        }
    }

    @TempDir
    Path root;
    final TestClock clock = new TestClock(T0);

    @BeforeEach
    void files() throws Exception {
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("public"));
        Files.write(root.resolve("docs/report.pdf"), SECRET);
        Files.write(root.resolve("public/logo.png"), LOGO);
    }

    private MediaSettings settings(int appPort, int mediaPort, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("site-url", "http://app.localhost:" + appPort);
        p.put("media-url", "http://media.localhost:" + mediaPort + "/media/");
        p.put("media-key", "k1:" + KEY);
        p.put("media-root", root.toString());
        p.put("media-public-paths", "public/");
        p.putAll(extra);
        return MediaSettings.builder().clock(clock).properties(p).build();
    }

    /** The application: /login?user=... starts a session; /media/* is the media endpoint. */
    static void application(ServletContextHandler context, CrossDomainMedia media) {
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse res) {
                req.getSession(true).setAttribute("user", req.getParameter("user"));
                res.setStatus(204);
            }
        }), "/login");
        context.addServlet(new ServletHolder(new MediaAuthServlet(media, (req, path) -> {
            Doc doc = DOCS.get(path.value());
            return doc == null ? null : new DocAuth(media, doc);
        })), "/media/*");
    }

    private static String sessionOf(int appPort, String user) throws Exception {
        RawHttp.Response login = RawHttp.request(appPort, "GET", "/login?user=" + user);
        assertEquals(204, login.status());
        return login.header("Set-Cookie").split(";")[0];
    }

    @Test
    void thePermittedGetATokenOthersAForbidden() throws Exception {
        try (TestServer app = TestServer.bind()) {
            MediaSettings s = settings(app.port(), 9, Map.of());
            app.serve(c -> application(c, CrossDomainMedia.of(s)));
            String alice = sessionOf(app.port(), "alice");
            String bob = sessionOf(app.port(), "bob");

            RawHttp.Response granted = RawHttp.request(app.port(), "GET", "/media/docs/report.pdf?bounced=1767225600",
                    "Cookie: " + alice);
            assertEquals(302, granted.status());
            assertEquals("no-store", granted.header("Cache-Control"));
            URI location = URI.create(granted.header("Location"));
            assertEquals("http://media.localhost:9/media/docs/report.pdf", location.resolve(location.getRawPath()).toString());
            assertTrue(location.getRawQuery().matches("token=k1\\.[0-9]+\\.[A-Za-z0-9_-]{22}&bounced=1767225600"),
                    location.getRawQuery());
            String token = location.getRawQuery().substring(6, location.getRawQuery().indexOf('&'));
            assertTrue(s.signer().check(token, MediaPath.of("docs/report.pdf"), "GET") instanceof TokenCheck.Valid);

            for (String cookie : new String[] {"Cookie: " + bob, "X-No-Session: 1"}) {
                RawHttp.Response denied = RawHttp.request(app.port(), "GET", "/media/docs/report.pdf", cookie);
                assertEquals(403, denied.status(), cookie);
                assertEquals("no-store", denied.header("Cache-Control"));
                assertNull(denied.header("Location"));
            }

            RawHttp.Response open = RawHttp.request(app.port(), "GET", "/media/public/logo.png");
            assertEquals(302, open.status());
            assertEquals("http://media.localhost:9/media/public/logo.png", open.header("Location"), "public: no token");

            assertEquals(404, RawHttp.request(app.port(), "GET", "/media/docs/unknown.pdf", "Cookie: " + alice).status());
            assertEquals(404, RawHttp.request(app.port(), "GET", "/media/docs/.hidden", "Cookie: " + alice).status());
            assertEquals(405, RawHttp.request(app.port(), "POST", "/media/docs/report.pdf", "Cookie: " + alice,
                    "Content-Length: 0").status());
        }
    }

    @Test
    void developmentModeServesTheFileFromTheApplication() throws Exception {
        MediaSettings dev = MediaSettings.builder().mediaUrl("/media/").mediaRoot(root).publicPaths(List.of("public/"))
                .build();
        try (TestServer app = TestServer.start(c -> application(c, CrossDomainMedia.of(dev)))) {
            String alice = sessionOf(app.port(), "alice");
            RawHttp.Response r = RawHttp.request(app.port(), "GET", "/media/docs/report.pdf", "Cookie: " + alice);
            assertEquals(200, r.status());
            assertArrayEquals(SECRET, r.body());
            assertEquals("application/pdf", r.header("Content-Type"));
            RawHttp.Response part = RawHttp.request(app.port(), "GET", "/media/docs/report.pdf", "Cookie: " + alice,
                    "Range: bytes=0-4");
            assertEquals(206, part.status());
            assertEquals("alice", part.text());
            assertEquals(403, RawHttp.request(app.port(), "GET", "/media/docs/report.pdf").status());
            assertArrayEquals(LOGO, RawHttp.request(app.port(), "GET", "/media/public/logo.png").body());
        }
    }

    @Test
    void developmentModeBehindNginxHandsTheFileOver() throws Exception {
        MediaSettings dev = MediaSettings.builder().mediaUrl("/media/").mediaRoot(root).internalMediaPrefix("/protected/")
                .build();
        try (TestServer app = TestServer.start(c -> application(c, CrossDomainMedia.of(dev)))) {
            String alice = sessionOf(app.port(), "alice");
            RawHttp.Response r = RawHttp.request(app.port(), "GET", "/media/docs/report.pdf", "Cookie: " + alice);
            assertEquals(200, r.status());
            assertEquals("/protected/docs/report.pdf", r.header("X-Accel-Redirect"));
            assertEquals(0, r.body().length);
        }
    }

    @Test
    void developmentModeNeedsFiles() {
        MediaSettings dev = MediaSettings.builder().mediaUrl("/media/").build();
        var e = assertThrows(IllegalArgumentException.class, () -> CrossDomainMedia.of(dev));
        assertTrue(e.getMessage().contains("set media-root"), e.getMessage());
    }

    @Test
    void inProductionTheApplicationNeedsNoMediaRoot() throws Exception {
        MediaSettings s = MediaSettings.builder().clock(clock).properties(Map.of(
                "site-url", "http://app.localhost:1",
                "media-url", "http://media.localhost:2/media/",
                "media-key", "k1:" + KEY)).build();
        CrossDomainMedia media = CrossDomainMedia.of(s);
        try (TestServer app = TestServer.start(c -> {
            application(c, media);
            c.addServlet(new ServletHolder(new HttpServlet() {
                @Override
                protected void doGet(HttpServletRequest req, HttpServletResponse res) throws java.io.IOException {
                    new DocAuth(media, DOCS.get("docs/report.pdf")).sendInternalFile(req, res);
                }
            }), "/send");
        })) {
            String alice = sessionOf(app.port(), "alice");
            RawHttp.Response r = RawHttp.request(app.port(), "GET", "/media/docs/report.pdf", "Cookie: " + alice);
            assertEquals(302, r.status());
            assertTrue(r.header("Location").startsWith("http://media.localhost:2/media/docs/report.pdf?token=k1."));
            assertEquals(500, RawHttp.request(app.port(), "GET", "/send").status(),
                    "sendInternalFile without media-root is a programming error");
        }
    }

    @Test
    void theUrlsOfOneObject() throws Exception {
        MediaSettings s = settings(8080, 8081, Map.of("site-url", "http://app.localhost:8080/app"));
        DocAuth auth = new DocAuth(CrossDomainMedia.of(s), new Doc("docs/Résumé 1.pdf", "alice", false));
        assertEquals("/media/docs/R%C3%A9sum%C3%A9%201.pdf", auth.authUrl());
        assertEquals("http://media.localhost:8081/media/docs/R%C3%A9sum%C3%A9%201.pdf", auth.mediaUrl());
        assertEquals(auth.mediaUrl(), auth.fullMediaUrl(false));
        assertTrue(auth.fullMediaUrl(true).startsWith(auth.mediaUrl() + "?token=k1."));
        assertFalse(new DocAuth(CrossDomainMedia.of(s), new Doc("x", "a", false)).isMediaPublic());
    }

    /**
     * The flow of the original library, steps 1 to 7, over real sockets: two servers, and a
     * client that follows redirects and keeps cookies per host. The media host records the
     * Cookie headers it receives.
     */
    @Test
    void theRoundTrip() throws Exception {
        List<String> cookiesAtMediaHost = Collections.synchronizedList(new ArrayList<>());
        try (TestServer app = TestServer.bind(); TestServer mediaHost = TestServer.bind()) {
            MediaSettings s = settings(app.port(), mediaHost.port(), Map.of());
            app.serve(c -> application(c, CrossDomainMedia.of(s)));
            mediaHost.serve(c -> {
                Filter recorder = (req, res, chain) -> {
                    String cookie = ((HttpServletRequest) req).getHeader("Cookie");
                    cookiesAtMediaHost.add(cookie == null ? "" : cookie);
                    chain.doFilter(req, res);
                };
                c.addFilter(new FilterHolder(recorder), "/*", EnumSet.of(DispatcherType.REQUEST));
                c.addFilter(new FilterHolder(new KeyholeFilter(KeyholeConfig.builder().media(s).build())), "/*",
                        EnumSet.of(DispatcherType.REQUEST));
            });
            Browser browser = new Browser(Map.of("app.localhost", app.port(), "media.localhost", mediaHost.port()));
            browser.get("http://app.localhost:" + app.port() + "/login?user=alice");

            // 1-5: no token; to the application and back with one
            String bare = s.mediaUrl(MediaPath.of("docs/report.pdf"));
            RawHttp.Response r = browser.get(bare);
            assertEquals(200, r.status());
            assertArrayEquals(SECRET, r.body());
            assertEquals(List.of(302, 302, 200), browser.statuses);

            // 6-7: the token expired; the same URL is renewed by the same round trip
            String tokened = browser.visited.get(browser.visited.size() - 1);
            clock.advance(Duration.ofMinutes(5));
            browser.statuses.clear();
            assertArrayEquals(SECRET, browser.get(tokened).body());
            assertEquals(List.of(302, 302, 200), browser.statuses);

            // logged out: 403 from the application
            browser.cookies.clear();
            browser.statuses.clear();
            assertEquals(403, browser.get(bare).status());
            assertEquals(List.of(302, 403), browser.statuses);

            assertEquals(5, cookiesAtMediaHost.size(), "2 + 2 + 1 requests reached the media host");
            assertTrue(cookiesAtMediaHost.stream().allMatch(String::isEmpty),
                    "the media host never sees a cookie: " + cookiesAtMediaHost);
        }
    }

    /** Follows redirects across two loopback hosts, keeping cookies per host name as browsers do. */
    static final class Browser {
        final Map<String, Integer> ports;
        final Map<String, String> cookies = new HashMap<>();
        final List<Integer> statuses = new ArrayList<>();
        final List<String> visited = new ArrayList<>();

        Browser(Map<String, Integer> ports) {
            this.ports = ports;
        }

        RawHttp.Response get(String url) throws Exception {
            for (int hop = 0; hop < 10; hop++) {
                URI uri = URI.create(url);
                visited.add(url);
                String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
                List<String> headers = new ArrayList<>();
                headers.add("X-Host: " + uri.getHost());
                String cookie = cookies.get(uri.getHost());
                if (cookie != null) {
                    headers.add("Cookie: " + cookie);
                }
                RawHttp.Response r = RawHttp.request(ports.get(uri.getHost()), "GET", target, headers.toArray(String[]::new));
                if (r.header("Set-Cookie") != null) {
                    cookies.put(uri.getHost(), r.header("Set-Cookie").split(";")[0]);
                }
                if (r.status() != 302) {
                    if (!url.contains("/login")) {
                        statuses.add(r.status());
                    }
                    return r;
                }
                statuses.add(r.status());
                url = r.header("Location");
            }
            throw new AssertionError("more than 10 redirects: " + visited);
        }
    }
}
