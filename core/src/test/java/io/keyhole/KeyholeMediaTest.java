package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import io.keyhole.media.MediaUrlSigner;
import io.keyhole.testing.LogCapture;
import io.keyhole.testing.RecordingFileSystem;
import io.keyhole.testing.TestClock;
import io.keyhole.testing.TestRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The media host's decision: a valid token serves, a missing or expired one sends the browser to
 * the application, a bad one is refused, and a browser bouncing straight back is stopped.
 */
class KeyholeMediaTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String KEY = "0123456789abcdef0123456789abcdef";
    static final MediaPath PDF = MediaPath.of("docs/report.pdf");

    @TempDir
    Path dir;
    Path root;
    final TestClock clock = new TestClock(T0);
    MediaSettings media;
    Keyhole keyhole;

    @BeforeEach
    void mediaRoot() throws Exception {
        root = Files.createDirectories(dir.resolve("media"));
        Files.createDirectories(root.resolve("docs/dir"));
        Files.createDirectories(root.resolve("public"));
        Files.writeString(root.resolve("docs/report.pdf"), "%PDF-1.4 0123456789");
        Files.writeString(root.resolve("docs/Résumé.txt"), "é");
        Files.writeString(root.resolve("public/logo.png"), "PNG");
        Files.writeString(dir.resolve("secret.txt"), "outside the media root");
        Files.createSymbolicLink(root.resolve("docs/escape.txt"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("docs/alias.pdf"), root.resolve("docs/report.pdf"));
        media = settings(root, Map.of());
        keyhole = new Keyhole(KeyholeConfig.builder().media(media).build());
    }

    private MediaSettings settings(Path mediaRoot, Map<String, String> extra) {
        Map<String, String> p = new HashMap<>(Map.of(
                "site-url", "https://www.example.com",
                "media-url", "https://media.example.org/media/",
                "media-key", "k1:" + KEY,
                "media-public-paths", "public/"));
        p.putAll(extra);
        return MediaSettings.builder().mediaRoot(mediaRoot).clock(clock).properties(p).build();
    }

    /** From the machine itself: the loop page may say why. */
    private static TestRequest get(String path, String query, String... headerLines) {
        return TestRequest.get(path, headerLines).withQuery(query).from("127.0.0.1");
    }

    private String token(MediaPath path) {
        return media.signer().sign(path);
    }

    @Test
    void aValidTokenServesTheFile() {
        Delivery d = keyhole.decide(get("/media/docs/report.pdf", "token=" + token(PDF)));
        Delivery.Send send = assertInstanceOf(Delivery.Send.class, d);
        assertEquals(200, send.status());
        assertEquals(root.resolve("docs/report.pdf"), send.file().localPath().orElseThrow());
        assertEquals("docs/report.pdf", send.file().relativePath());
        assertEquals("application/pdf", send.header("Content-Type"));
        assertEquals("19", send.header("Content-Length"));
        assertEquals("inline; filename=\"report.pdf\"", send.header("Content-Disposition"));
        assertEquals("private", send.header("Cache-Control"));
        assertEquals("nosniff", send.header("X-Content-Type-Options"));
        assertEquals("no-referrer", send.header("Referrer-Policy"), "the token must not leave in a Referer");
    }

    @Test
    void headRangeAndConditionalsWorkAsForAnyFile() {
        String t = token(PDF);
        Delivery.Send head = assertInstanceOf(Delivery.Send.class,
                keyhole.decide(get("/media/docs/report.pdf", "token=" + t).withMethod("HEAD")));
        assertTrue(head.bodiless());
        Delivery.Send part = assertInstanceOf(Delivery.Send.class,
                keyhole.decide(get("/media/docs/report.pdf", "token=" + t, "Range: bytes=0-3")));
        assertEquals(206, part.status());
        assertEquals("bytes 0-3/19", part.header("Content-Range"));
        Delivery again = keyhole.decide(get("/media/docs/report.pdf", "token=" + t, "If-None-Match: " + part.header("ETag")));
        assertEquals(304, again.status());
    }

    @Test
    void aMissingTokenSendsTheBrowserToTheApplication() {
        Delivery.Redirect r = assertInstanceOf(Delivery.Redirect.class, keyhole.decide(get("/media/docs/report.pdf", null)));
        assertEquals(302, r.status());
        assertEquals("https://www.example.com/media/docs/report.pdf?bounced=" + T0.getEpochSecond(), r.location());
        assertEquals("no-store", r.header("Cache-Control"));
    }

    @Test
    void anExpiredTokenSendsTheBrowserToTheApplication() {
        String t = token(PDF);
        clock.advance(Duration.ofMinutes(10));
        Delivery.Redirect r = assertInstanceOf(Delivery.Redirect.class,
                keyhole.decide(get("/media/docs/report.pdf", "token=" + t)));
        assertEquals("https://www.example.com/media/docs/report.pdf?bounced=" + (T0.getEpochSecond() + 600), r.location());
    }

    @Test
    void theRedirectNamesTheSamePathEncodedCanonically() {
        // the adapter's path for /media/docs/R%c3%a9sum%c3%a9.txt: decoded by the container
        Delivery.Redirect r = assertInstanceOf(Delivery.Redirect.class,
                keyhole.decide(get("/media/docs/Résumé.txt", null)));
        assertTrue(r.location().startsWith("https://www.example.com/media/docs/R%C3%A9sum%C3%A9.txt?bounced="),
                r.location());
    }

    @Test
    void anEncodedPathIsSignedDecoded() {
        MediaPath path = MediaPath.of("docs/Résumé.txt");
        // the URL carries path.urlPath(); the container hands the core the decoded path
        Delivery.Send send = assertInstanceOf(Delivery.Send.class,
                keyhole.decide(get("/media/" + path.value(), "token=" + token(path))));
        assertEquals(2, send.contentLength());
        assertEquals("text/plain", send.header("Content-Type"));
    }

    /**
     * The container decodes the URL's path once; the core must not decode it again, or
     * {@code 100%2525.txt} in a URL would name {@code 100%.txt} and be checked against its token.
     */
    @Test
    void thePathIsDecodedExactlyOnce() throws Exception {
        Files.writeString(root.resolve("docs/100%25.txt"), "literally percent-2-5");
        Files.writeString(root.resolve("docs/100%.txt"), "a bare percent sign");
        MediaPath literal = MediaPath.of("docs/100%25.txt");
        assertEquals("docs/100%2525.txt", literal.urlPath());
        Delivery.Send send = assertInstanceOf(Delivery.Send.class,
                keyhole.decide(get("/media/docs/100%25.txt", "token=" + token(literal))));
        assertEquals(root.resolve("docs/100%25.txt"), send.file().localPath().orElseThrow());
        assertEquals(403, keyhole.decide(get("/media/docs/100%25.txt", "token=" + token(MediaPath.of("docs/100%.txt"))))
                .status(), "a token is bound to exactly the path served");
        Delivery.Redirect r = assertInstanceOf(Delivery.Redirect.class, keyhole.decide(get("/media/docs/100%25.txt", null)));
        assertTrue(r.location().startsWith("https://www.example.com/media/docs/100%2525.txt?bounced="), r.location());
    }

    @ParameterizedTest(name = "token {0}")
    @ValueSource(strings = {"tampered", "for another path", "two tokens", "percent-encoded", "unknown key"})
    void aBadTokenIsRefused(String how) {
        String t = token(PDF);
        String query = switch (how) {
            case "tampered" -> "token=" + t.substring(0, t.length() - 2) + (t.endsWith("AA") ? "BB" : "AA");
            case "for another path" -> "token=" + token(MediaPath.of("docs/other.pdf"));
            case "two tokens" -> "token=" + t + "&token=" + t;
            case "percent-encoded" -> "token=" + t.replace(".", "%2E");
            case "unknown key" -> "token=k0" + t.substring(2);
            default -> throw new IllegalArgumentException(how);
        };
        Delivery d = keyhole.decide(get("/media/docs/report.pdf", query));
        assertEquals(403, d.status());
        assertEquals("no-store", d.header("Cache-Control"));
        assertInstanceOf(Delivery.Reply.class, d);
    }

    @Test
    void publicMediaNeedNoToken() {
        assertEquals(200, keyhole.decide(get("/media/public/logo.png", null)).status());
        assertEquals(200, keyhole.decide(get("/media/public/logo.png", "token=garbage")).status(),
                "a token on public media is not even looked at");
        assertEquals(302, keyhole.decide(get("/media/publicity.png", null)).status());
    }

    @Test
    void nothingOnDiskIsTouchedBeforeTheTokenIsChecked() throws Exception {
        RecordingFileSystem fs = new RecordingFileSystem();
        Path recorded = fs.path(root);
        MediaSettings s = settings(recorded, Map.of());
        Keyhole k = new Keyhole(KeyholeConfig.builder().media(s).build());
        String t = s.signer().sign(MediaPath.of("docs/absent.pdf"));

        assertEquals(302, k.decide(get("/media/docs/absent.pdf", null)).status());
        assertEquals(403, k.decide(get("/media/docs/absent.pdf", "token=" + token(PDF))).status());
        assertEquals(404, k.decide(get("/media/docs/../../secret.txt", "token=" + t)).status());
        assertEquals(List.of(), fs.operations(), "no existence oracle: denials and bad paths cost no I/O");

        assertEquals(404, k.decide(get("/media/docs/absent.pdf", "token=" + t)).status());
        assertTrue(!fs.operations().isEmpty());
    }

    @Test
    void aValidTokenDoesNotLeadOutOfTheRoot() {
        MediaPath escape = MediaPath.of("docs/escape.txt");
        assertEquals(404, keyhole.decide(get("/media/docs/escape.txt", "token=" + token(escape))).status(),
                "a symlink leading outside the media root");
        MediaPath alias = MediaPath.of("docs/alias.pdf");
        assertEquals(404, keyhole.decide(get("/media/docs/alias.pdf", "token=" + token(alias))).status(),
                "a symlink that stays inside is not followed either: no link below the root is");
        MediaPath directory = MediaPath.of("docs/dir");
        assertEquals(404, keyhole.decide(get("/media/docs/dir", "token=" + token(directory))).status());
    }

    @Test
    void routing() {
        assertInstanceOf(Delivery.Pass.class, keyhole.decide(get("/app/page", null)));
        Delivery post = keyhole.decide(get("/media/docs/report.pdf", "token=" + token(PDF)).withMethod("POST"));
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.header("Allow"));
        assertEquals(404, keyhole.decide(get("/media/", null)).status());
        assertEquals(404, keyhole.decide(get("/media", null)).status(), "the mount without its slash is the mount's");
        assertEquals(404, keyhole.decide(get("/media/.hidden", null)).status());
    }

    // The loop guard: the browser comes back from the application at once and still needs a token.

    @Test
    void aBrowserSentBackWithoutATokenIsStopped() {
        String bounced = "bounced=" + T0.getEpochSecond();
        clock.advance(Duration.ofSeconds(1));
        Delivery d = keyhole.decide(get("/media/docs/report.pdf", bounced));
        assertEquals(508, d.status());
        String page = ((Delivery.Reply) d).message();
        assertTrue(page.contains("Keyhole stopped a redirect loop between this media host and https://www.example.com"),
                page);
        assertTrue(page.contains("treats the file as public, but this host does not"), page);
        assertTrue(page.contains("media-public-paths"), page);
    }

    /**
     * The mark comes from the URL, so anyone can send a link that lands on the loop page: a client
     * elsewhere, or one a local proxy speaks for, learns nothing of the site, the clock or the
     * token policy. The diagnosis goes to the log.
     */
    @Test
    void aCraftedLoopLinkDisclosesNothingToOthers() {
        String bounced = "bounced=" + T0.getEpochSecond();
        List<TestRequest> strangers = List.of(
                TestRequest.get("/media/docs/report.pdf").withQuery(bounced),
                TestRequest.get("/media/docs/report.pdf").withQuery(bounced).from("203.0.113.7"),
                TestRequest.get("/media/docs/report.pdf", "X-Forwarded-For: 203.0.113.7").withQuery(bounced)
                        .from("127.0.0.1"),
                TestRequest.get("/media/docs/report.pdf", "Forwarded: for=203.0.113.7").withQuery(bounced)
                        .from("::1"));
        for (TestRequest stranger : strangers) {
            try (LogCapture log = LogCapture.start()) {
                Delivery d = keyhole.decide(stranger);
                assertEquals(508, d.status());
                String page = ((Delivery.Reply) d).message();
                assertEquals("redirect loop stopped; the media host's log says why", page);
                assertTrue(log.containing("stopped a redirect loop for docs/report.pdf").stream()
                        .anyMatch(l -> l.contains("media-public-paths")), log.lines().toString());
            }
        }
    }

    @Test
    void aTokenAlreadyExpiredOnArrivalIsStopped() {
        // The application's clock is 10 minutes behind the media host's.
        String stale = MediaUrlSigner.builder().signingKey("k1", KEY.getBytes(StandardCharsets.UTF_8))
                .clock(new TestClock(T0.minus(Duration.ofMinutes(10)))).build().sign(PDF);
        Delivery d = keyhole.decide(get("/media/docs/report.pdf", "token=" + stale + "&bounced=" + T0.getEpochSecond()));
        assertEquals(508, d.status());
        String page = ((Delivery.Reply) d).message();
        assertTrue(page.contains("had expired 480 s before"), page);
        assertTrue(page.contains("clock is behind this host's"), page);
        assertTrue(page.contains("NTP"), page);
        assertTrue(!page.contains(stale.substring(stale.lastIndexOf('.') + 1)), "never the token");
    }

    @Test
    void aTokenFromAClockFarAheadIsStopped() {
        String early = MediaUrlSigner.builder().signingKey("k1", KEY.getBytes(StandardCharsets.UTF_8))
                .clock(new TestClock(T0.plus(Duration.ofMinutes(5)))).build().sign(PDF);
        Delivery first = keyhole.decide(get("/media/docs/report.pdf", "token=" + early));
        assertEquals(302, first.status(), "without the mark it may just be an old link: try the application");
        Delivery d = keyhole.decide(get("/media/docs/report.pdf", "token=" + early + "&bounced=" + T0.getEpochSecond()));
        assertEquals(508, d.status());
        assertTrue(((Delivery.Reply) d).message().contains("expires 290 s later than this host accepts"),
                ((Delivery.Reply) d).message());
    }

    @Test
    void anOldMarkIsJustAnOldLink() {
        String t = token(PDF);
        String bounced = "&bounced=" + T0.getEpochSecond();
        clock.advance(Duration.ofMinutes(10));
        // a bookmarked URL from an earlier round trip: renew it as usual
        assertEquals(302, keyhole.decide(get("/media/docs/report.pdf", "token=" + t + bounced)).status());
        // right at the window's end it still counts as a loop; a second later it does not
        clock.set(T0.plus(Duration.ofSeconds(30)));
        assertEquals(508, keyhole.decide(get("/media/docs/report.pdf", bounced.substring(1))).status());
        clock.set(T0.plus(Duration.ofSeconds(31)));
        assertEquals(302, keyhole.decide(get("/media/docs/report.pdf", bounced.substring(1))).status());
        // a mark from the future beyond the leeway is not this host's: ignore it
        clock.set(T0.minus(Duration.ofSeconds(11)));
        assertEquals(302, keyhole.decide(get("/media/docs/report.pdf", bounced.substring(1))).status());
    }

    @Test
    void aValidTokenWinsOverTheMark() {
        String query = "token=" + token(PDF) + "&bounced=" + T0.getEpochSecond();
        assertEquals(200, keyhole.decide(get("/media/docs/report.pdf", query)).status());
    }

    // Development mode: the application serves media itself.

    @Test
    void developmentModeLeavesRequestsToTheApplication() {
        MediaSettings dev = MediaSettings.builder().mediaUrl("/media/").mediaRoot(root).build();
        Keyhole k = new Keyhole(KeyholeConfig.builder().media(dev).build());
        assertInstanceOf(Delivery.Pass.class, k.decide(get("/media/docs/report.pdf", null)));
        assertInstanceOf(Delivery.Pass.class, k.decide(get("/media", null)));
        Delivery.Send send = assertInstanceOf(Delivery.Send.class, k.deliverMedia(get("/media/x", null), PDF));
        assertEquals(19, send.contentLength());
        assertEquals(404, k.deliverMedia(get("/media/x", null), MediaPath.of("docs/escape.txt")).status());
        assertEquals(405, k.deliverMedia(get("/media/x", null).withMethod("DELETE"), PDF).status());
    }

    @Test
    void deliverMediaNeedsAMediaRoot() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Keyhole files = new Keyhole(KeyholeConfig.builder().fsRoot(tree).authorizer(q -> AuthResponse.ofStatus(200)).build());
        assertThrows(IllegalStateException.class, () -> files.deliverMedia(get("/x", null), PDF));
    }

    // Configuration of a media host.

    @Test
    void mediaModeFromText() {
        Map<String, String> p = new HashMap<>(Map.of(
                "site-url", "https://www.example.com",
                "media-url", "https://media.example.org/media/",
                "media-key", "k1:" + KEY,
                "media-root", root.toString(),
                "delivery", "x-accel-redirect",
                "internal-media-prefix", "/protected/"));
        KeyholeConfig c = KeyholeConfig.builder().clock(clock).properties(p).build();
        assertEquals("/media/", c.mount());
        assertNull(c.tree());
        assertEquals("/protected/", c.accelPrefix());
        assertNull(c.backend());
        assertEquals("signed URLs (keys k1)", c.describeBackend());
        assertEquals(clock, c.media().signer().clock());
        assertTrue(KeyholeConfig.Builder.KEYS.containsAll(MediaSettings.Builder.KEYS));
    }

    @Test
    void mediaModeRefusesWhatItCannotUse() {
        Map<String, String> p = new HashMap<>(Map.of(
                "site-url", "https://www.example.com",
                "media-url", "https://media.example.org/media/",
                "media-key", "k1:" + KEY,
                "media-root", root.toString()));
        Map<String, String> withTree = new HashMap<>(p);
        withTree.put("fs-root", dir.toString());
        withTree.put("unix-socket", "/run/a.sock");
        assertMessage(withTree, "asks no backend; drop fs-root, unix-socket");

        Map<String, String> noRoot = new HashMap<>(p);
        noRoot.remove("media-root");
        assertMessage(noRoot, "media-root is required on a media host");

        Map<String, String> mount = new HashMap<>(p);
        mount.put("mount", "/files/");
        assertMessage(mount, "mount /files/ differs from the path of media-url (/media/)");

        Map<String, String> accel = new HashMap<>(p);
        accel.put("delivery", "x-accel-redirect");
        assertMessage(accel, "delivery=x-accel-redirect needs internal-media-prefix");

        Map<String, String> both = new HashMap<>(accel);
        both.put("accel-prefix", "/a/");
        both.put("internal-media-prefix", "/b/");
        assertMessage(both, "accel-prefix /a/ differs from internal-media-prefix /b/");

        Map<String, String> alias = new HashMap<>(accel);
        alias.put("accel-prefix", "/protected/");
        assertEquals("/protected/", KeyholeConfig.fromProperties(alias).accelPrefix(), "accel-prefix alone also works");
    }

    private static void assertMessage(Map<String, String> p, String expected) {
        var e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.fromProperties(p));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
