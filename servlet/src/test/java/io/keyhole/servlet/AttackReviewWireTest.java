package io.keyhole.servlet;

import static io.keyhole.servlet.UploadHttp.form;
import static io.keyhole.servlet.UploadHttp.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.AuthResponse;
import io.keyhole.DeliveryMode;
import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.StoredMetadata;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import io.keyhole.testing.LogCapture;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.TestClock;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.HashedTree;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks from the security review, replayed on the wire against the filter on a real Jetty with
 * a real Unix-socket backend: uploads that script the site, X-Sendfile paths the front server
 * reads as another file, metadata larger than the container's header room, a crafted loop link.
 * Each failed before its fix.
 */
class AttackReviewWireTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String SCRIPT = "<html><script>fetch('/steal?c='+document.cookie)</script></html>";
    /** An id the backend below describes with a 2,000-character file name. */
    static final String LONG_NAME_ID = "0123456789abcdef";

    @TempDir
    Path dir;
    final Map<String, StoredMetadata> recorded = new ConcurrentHashMap<>();
    final List<JsonSocketServer> backends = new ArrayList<>();

    private JettyHarness tree(String... more) throws Exception {
        Path root = dir.resolve("tree");
        if (!Files.isDirectory(root)) {
            new HashedTree(Files.createDirectories(root), 2).create();
        }
        Path file = new HashedTree(root, 2).pathOf(FileId.parse(LONG_NAME_ID));
        Files.write(file, "%PDF-1.4".getBytes(StandardCharsets.US_ASCII));
        JsonSocketServer backend = JsonSocketServer.start(dir.resolve("auth" + backends.size() + ".sock"), q -> {
            if (q.method().equals("POST")) {
                recorded.put(q.fileId().value(), q.stored());
                return AuthResponse.ofStatus(201);
            }
            if (q.fileId().value().equals(LONG_NAME_ID)) {
                return new AuthResponse(200, "x".repeat(1996) + ".pdf", "application/pdf", "attachment",
                        "\"" + "e".repeat(3000) + "\"", null, null, null);
            }
            StoredMetadata m = recorded.get(q.fileId().value());
            return m == null ? AuthResponse.ofStatus(404) : new AuthResponse(200, m.filename(), m.contentType(),
                    m.disposition().wireValue(), m.etag(), m.size(), m.uploadDateSeconds(), null);
        });
        Map<String, String> p = new HashMap<>(Map.of("fs-root", root.toString(), "fs-depth", "2", "mount", "/files/",
                "unix-socket", backend.socket().toString(), "jwt-key", new String(Tokens.KEY, StandardCharsets.UTF_8),
                "jwt-field", "uid", "read-only", "no"));
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        backends.add(backend);
        return JettyHarness.start(p);
    }

    @AfterEach
    void stopBackends() throws Exception {
        for (JsonSocketServer b : backends) {
            b.close();
        }
    }

    private static String bearer() {
        return "Authorization: Bearer " + Tokens.valid("mallory");
    }

    // Finding 1: an uploaded xss.html came back text/html, inline, with its script, from the site's own origin.

    @Test
    void anUploadedPageCannotScriptTheSite() throws Exception {
        try (JettyHarness jetty = tree()) {
            for (String[] attack : new String[][] {
                {"n", "xss.html", "ct", "text/html", "cd", "inline"},
                {"n", "xss.svg", "ct", "image/svg+xml; charset=utf-8", "cd", "inline"},
                {"n", "xss.xhtml", "ct", "APPLICATION/XHTML+XML", "cd", "inline"},
                {"n", "xss.js", "ct", "text/javascript"},
                {"n", "xss.xml", "ct", "text/xml"}}) {
                String what = String.join(" ", attack);
                RawHttp.Response up = post(jetty.port(), "/files/", form(attack[0], attack[1], attack[2], attack[3],
                        "d", SCRIPT.getBytes(StandardCharsets.UTF_8)), bearer());
                assertEquals(201, up.status(), up.text());
                JsonNode stored = JSON.readTree(up.body());
                assertEquals("attachment", stored.get("content_disposition").asText(), what);

                RawHttp.Response down = RawHttp.request(jetty.port(), "GET", up.header("Location"), bearer());
                assertEquals(200, down.status(), what);
                assertEquals(SCRIPT, down.text(), what);
                assertTrue(down.header("Content-Disposition").startsWith("attachment;"), what);
                assertEquals("sandbox", down.header("Content-Security-Policy"), what);
                assertEquals("nosniff", down.header("X-Content-Type-Options"), what);

                // several ranges make a multipart/byteranges body: the same guards on the whole answer
                RawHttp.Response parts = RawHttp.request(jetty.port(), "GET", up.header("Location"), bearer(),
                        "Range: bytes=0-5,10-20");
                assertEquals(206, parts.status(), what);
                assertTrue(parts.header("Content-Type").startsWith("multipart/byteranges"), what);
                assertTrue(parts.header("Content-Disposition").startsWith("attachment;"), what);
                assertEquals("sandbox", parts.header("Content-Security-Policy"), what);
                assertEquals("nosniff", parts.header("X-Content-Type-Options"), what);
            }
            // a picture stays inline, as asked, and still cannot run script if it is not one
            RawHttp.Response png = post(jetty.port(), "/files/", form("n", "cat.png", "ct", "image/png", "cd", "inline",
                    "d", SCRIPT.getBytes(StandardCharsets.UTF_8)), bearer());
            RawHttp.Response down = RawHttp.request(jetty.port(), "GET", png.header("Location"), bearer());
            assertTrue(down.header("Content-Disposition").startsWith("inline;"), down.header("Content-Disposition"));
            assertEquals("sandbox", down.header("Content-Security-Policy"));
        }
    }

    @Test
    void whoWantsActivePagesInlineSaysSo() throws Exception {
        try (JettyHarness jetty = tree("active-uploads", "as-sent", "content-security-policy",
                "sandbox; default-src 'none'; style-src 'unsafe-inline'")) {
            RawHttp.Response up = post(jetty.port(), "/files/", form("n", "page.html", "ct", "text/html", "cd", "inline",
                    "d", SCRIPT.getBytes(StandardCharsets.UTF_8)), bearer());
            RawHttp.Response down = RawHttp.request(jetty.port(), "GET", up.header("Location"), bearer());
            assertTrue(down.header("Content-Disposition").startsWith("inline;"));
            assertEquals("sandbox; default-src 'none'; style-src 'unsafe-inline'", down.header("Content-Security-Policy"));
        }
        try (JettyHarness jetty = tree("content-security-policy", "none")) {
            RawHttp.Response up = post(jetty.port(), "/files/", form("n", "a.txt", "ct", "text/plain",
                    "d", SCRIPT.getBytes(StandardCharsets.UTF_8)), bearer());
            assertNull(RawHttp.request(jetty.port(), "GET", up.header("Location"), bearer())
                    .header("Content-Security-Policy"));
        }
    }

    // Finding 6: a 2,000-character file name from the backend → the container's 500 page, nothing logged.

    @Test
    void oversizedMetadataIsTrimmedAndLogged() throws Exception {
        try (JettyHarness jetty = tree(); LogCapture log = LogCapture.start()) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/files/" + LONG_NAME_ID, bearer());
            assertEquals(200, r.status(), r.text());
            assertEquals("%PDF-1.4", r.text());
            String disposition = r.header("Content-Disposition");
            assertTrue(disposition.startsWith("attachment; filename=\"" + "x".repeat(251) + ".pdf\""), disposition);
            assertTrue(disposition.length() < 1200, "length " + disposition.length());
            assertTrue(r.header("ETag").length() < 100, "a tag derived from the file instead: " + r.header("ETag"));
            assertEquals(1, log.containing("filename for " + LONG_NAME_ID + " has 2000 characters").size(),
                    log.lines().toString());
            assertEquals(1, log.containing("ignoring the backend's etag of 3002 characters").size(),
                    log.lines().toString());
        }
    }

    // Finding 3: X-Sendfile carried the decoded path raw; the container turned 中 and U+2028 into a space.

    @Test
    void xSendfileNamesExactlyTheFileCheckedInMediaMode() throws Exception {
        Path media = Files.createDirectories(dir.resolve("media/docs"));
        Files.writeString(media.resolve("中.txt"), "cjk");
        Files.writeString(media.resolve("\u2028.txt"), "separator");
        Files.writeString(media.resolve("a b%20c.txt"), "space");
        TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
        Map<String, String> p = new HashMap<>(Map.of("site-url", "http://app.localhost:8080",
                "media-url", "http://media.localhost:8081/media/", "media-key", "k1:0123456789abcdef0123456789abcdef",
                "media-root", dir.resolve("media").toString(), "internal-media-prefix", dir.resolve("media") + "/"));
        MediaSettings settings = MediaSettings.builder().clock(clock).properties(p).build();
        try (JettyHarness jetty = JettyHarness.start(KeyholeConfig.builder().media(settings)
                .delivery(DeliveryMode.X_SENDFILE).build())) {
            for (String name : new String[] {"docs/中.txt", "docs/\u2028.txt", "docs/a b%20c.txt"}) {
                String url = settings.fullMediaUrl(MediaPath.of(name), true);
                RawHttp.Response r = RawHttp.request(jetty.port(), "GET", url.substring(url.indexOf("/media/")));
                assertEquals(200, r.status(), name);
                String header = r.header("X-Sendfile");
                assertTrue(header.chars().allMatch(c -> c > 0x20 && c < 0x7f), header);
                // what Apache's mod_xsendfile (XSendFileUnescape on) and lighttpd open
                assertEquals(dir.resolve("media").resolve(name).toString(), percentDecode(header), name);
            }
        }
    }

    @Test
    void xSendfileInTreeModeNamesTheTreeFile() throws Exception {
        try (JettyHarness jetty = tree("delivery", "x-sendfile", "accel-prefix", dir.resolve("tree") + "/")) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/files/" + LONG_NAME_ID, bearer());
            assertEquals(200, r.status());
            assertEquals(dir.resolve("tree").resolve("0/1/" + LONG_NAME_ID).toString(), percentDecode(r.header("X-Sendfile")));
        }
    }

    /** Decodes %XX as UTF-8 bytes, as ap_unescape_url does; '+' stays '+'. */
    static String percentDecode(String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(value.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    // Finding 8: the 508 page told any client the site URL, the server clock and the token policy.

    @Test
    void aCraftedLoopLinkShowsStrangersAPlainPage() throws Exception {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        Files.createDirectories(dir.resolve("media/docs"));
        Files.writeString(dir.resolve("media/docs/report.pdf"), "%PDF");
        MediaSettings settings = MediaSettings.builder().clock(new TestClock(now)).properties(Map.of(
                "site-url", "http://app.localhost:8080", "media-url", "http://media.localhost:8081/media/",
                "media-key", "k1:0123456789abcdef0123456789abcdef", "media-root", dir.resolve("media").toString()))
                .build();
        try (JettyHarness jetty = JettyHarness.start(KeyholeConfig.builder().media(settings).build());
             LogCapture log = LogCapture.start()) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/media/docs/report.pdf?bounced="
                    + now.getEpochSecond(), "X-Forwarded-For: 203.0.113.7");
            assertEquals(508, r.status());
            assertEquals("redirect loop stopped; the media host's log says why\n", r.text());
            assertTrue(log.containing("stopped a redirect loop for docs/report.pdf").size() == 1, log.lines().toString());
        }
    }
}
