package io.keyhole.examples.crossdomain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.media.MediaPath;
import io.keyhole.testing.Chromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original library's flow in a real browser, against the example application: a headless
 * Chromium signs in on {@code app.localhost} and opens files served by {@code media.localhost}.
 * Subclasses say how the media host sends the bytes. Each test has its own browser context
 * (cookies, cache), and time moves only when a test turns the hosts' clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrowserRoundTrip {

    static final Duration PATIENCE = Duration.ofSeconds(20);
    static final String PDF = "alice/Quarterly report.pdf";
    static final String IMAGE = "alice/mountains.png";
    static final String VIDEO = "alice/clip.mp4";

    @TempDir
    static Path root;
    Hosts hosts;
    Chromium chromium;
    Chromium.Tab tab;

    /** Starts the two hosts (and whatever stands in front of them) over {@code root}. */
    abstract Hosts startHosts(Path root) throws Exception;

    /** Stops what {@link #startHosts} started besides the hosts. */
    void stopFront() {
    }

    @BeforeAll
    void start() throws Exception {
        new MediaLibrary().writeTo(root);
        Chromium.assumeInstalled();
        hosts = startHosts(root);
        chromium = Chromium.start();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            try {
                stopFront();
            } finally {
                if (hosts != null) {
                    hosts.close();
                }
            }
        }
    }

    @BeforeEach
    void newBrowserContext() {
        tab = chromium.open();
        // Every fetch reaches the servers, so each test sees the whole flow.
        tab.call("Network.setCacheDisabled", Map.of("cacheDisabled", true));
    }

    /** Whatever a test did: the browser never sent the media host a cookie. */
    @AfterEach
    void noCookieWentToTheMediaHost() {
        List<Map<String, String>> toMedia = tab.sentHeaders().stream()
                .filter(h -> h.getOrDefault("Host", "").startsWith(CrossDomainExample.MEDIA_HOST + ":")).toList();
        for (Map<String, String> headers : toMedia) {
            assertFalse(headers.containsKey("Cookie"), "the browser sent the media host a cookie: " + headers);
        }
        for (Hosts.Seen seen : hosts.seenByMedia) {
            assertEquals(null, seen.cookie(), "the media host received a cookie: " + seen);
        }
    }

    void signIn(String user, String password) {
        tab.navigate(hosts.appUrl("/"));
        if (tab.evaluate("document.getElementById('logout') !== null").asBoolean()) {
            tab.evaluate("document.getElementById('logout').form.submit(); true");
            tab.awaitTrue("document.getElementById('user') !== null", PATIENCE);
        }
        tab.evaluate("document.getElementById('user').value = '" + user + "';"
                + "document.getElementById('password').value = '" + password + "';"
                + "document.forms[0].submit(); true");
        tab.awaitTrue("document.getElementById('files') !== null", PATIENCE);
    }

    void view(String file) {
        tab.navigate(hosts.appUrl("/view/" + MediaPath.of(file).urlPath()));
    }

    String mediaUrl(String file) {
        return hosts.settings.mediaUrl(MediaPath.of(file));
    }

    byte[] bytesOf(String file) throws Exception {
        return Files.readAllBytes(root.resolve(file));
    }

    /** The responses whose URL starts with {@code prefix}, in order. */
    List<Chromium.Exchange> responsesFrom(String prefix) {
        return tab.exchanges().stream().filter(e -> e.url().startsWith(prefix)).toList();
    }

    String network() {
        return Chromium.describe(tab.exchanges());
    }

    @Test
    void aSignedInUserReachesTheFilesBytes() throws Exception {
        signIn("alice", "wonderland");
        List<String> titles = List.of(tab.evaluate("[...document.querySelectorAll('#files a')].map(a => a.textContent)")
                .toString());
        assertTrue(titles.get(0).contains("Quarterly report (PDF)"), titles.toString());

        view(IMAGE);
        tab.awaitTrue("document.getElementById('media').complete", PATIENCE);
        assertEquals(320, tab.evaluate("document.getElementById('media').naturalWidth").asInt(), network());
        String image = tab.evaluate("document.getElementById('media').src").asText();
        assertTrue(image.startsWith(mediaUrl(IMAGE) + "?token=k1."), image);
        assertArrayEquals(bytesOf(IMAGE), tab.body(responsesFrom(image).get(0).requestId()));

        view(PDF);
        String link = tab.evaluate("document.getElementById('open').href").asText();
        assertTrue(link.startsWith(mediaUrl(PDF) + "?token=k1."), link);
        tab.navigate(link);
        assertEquals(200, responsesFrom(link).get(0).status(), network());
        // Chromium's PDF viewer keeps the document's bytes to itself; the page fetches them once more
        // (same origin, same token) to show what the browser can get.
        String base64 = tab.evaluate("fetch(location.href).then(r => r.arrayBuffer())"
                + ".then(b => btoa(String.fromCharCode(...new Uint8Array(b))))").asText();
        assertArrayEquals(bytesOf(PDF), Base64.getDecoder().decode(base64));
    }

    @Test
    void aSignedOutUserIsForbidden() throws Exception {
        tab.navigate(mediaUrl(PDF));
        List<Chromium.Exchange> hops = tab.exchanges().stream().filter(e -> !e.url().endsWith("/favicon.ico")).toList();
        assertEquals(2, hops.size(), network());
        assertEquals(302, hops.get(0).status(), "the media host sends the browser to the application");
        assertTrue(hops.get(0).location().startsWith(hosts.appUrl("/media/alice/Quarterly%20report.pdf?bounced=")),
                hops.get(0).location());
        assertEquals(403, hops.get(1).status(), "the application has no session to go by");
        assertEquals("forbidden", tab.evaluate("document.body.innerText.trim()").asText());
        String body = new String(tab.body(hops.get(1).requestId()), java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(body.contains("%PDF"), body);

        // signed in, but as somebody else
        signIn("bob", "builder");
        tab.navigate(mediaUrl(PDF));
        assertEquals(403, tab.exchanges().get(tab.exchanges().size() - 1).status(), network());
    }

    @Test
    void anExpiredTokenIsRenewedWithoutTheUserNoticing() throws Exception {
        signIn("alice", "wonderland");
        view(IMAGE);
        tab.awaitTrue("document.getElementById('media').complete", PATIENCE);
        String shown = tab.evaluate("document.getElementById('media').src").asText();

        hosts.clock.advance(Duration.ofMinutes(10));

        // The page asks for the image again with its old URL (a harmless extra parameter
        // keeps the browser's image cache out of it): it renders as if nothing happened.
        String again = shown + "&again=1";
        assertEquals(320, tab.evaluate("new Promise(done => { const i = new Image();"
                + " i.onload = () => done(i.naturalWidth); i.onerror = () => done(-1); i.src = '" + again + "'; })")
                .asInt(), network());
        List<Chromium.Exchange> chain = tab.exchanges().subList(indexOf(again), tab.exchanges().size());
        assertEquals(302, chain.get(0).status(), "the expired token: off to the application");
        assertEquals(302, chain.get(1).status(), "the session is fine: back with a fresh token");
        assertTrue(chain.get(1).url().startsWith(hosts.appUrl("/media/" + MediaPath.of(IMAGE).urlPath())));
        assertEquals(200, chain.get(2).status(), network());
        assertNotEquals(token(shown), token(chain.get(2).url()));
        assertArrayEquals(bytesOf(IMAGE), tab.body(chain.get(2).requestId()));

        // Following an old link (a bookmark, a page left open) takes the same way.
        hosts.clock.advance(Duration.ofMinutes(10));
        tab.navigate(shown);
        assertEquals(List.of(302, 302, 200), statusesFrom(lastIndexOf(shown)), network());
    }

    @Test
    void theVideoPlays() {
        signIn("alice", "wonderland");
        view(VIDEO);
        tab.evaluate("document.getElementById('media').play().then(() => true)");
        tab.awaitTrue("document.getElementById('media').currentTime > 0.5", PATIENCE);
        List<Chromium.Exchange> video = responsesFrom(mediaUrl(VIDEO));
        assertFalse(video.isEmpty(), network());
        assertTrue(video.stream().anyMatch(e -> e.status() == 206), "the player's range requests: " + network());
        assertTrue(video.stream().allMatch(e -> e.status() == 206 || e.status() == 200), network());
    }

    @Test
    void theSessionCookieNeverReachesTheMediaHost() {
        signIn("alice", "wonderland");
        for (String file : List.of(IMAGE, PDF, VIDEO)) {
            view(file);
        }
        String cookies = tab.call("Network.getCookies", Map.of("urls", List.of(hosts.appUrl("/")))).toString();
        assertTrue(cookies.contains("JSESSIONID"), "the application keeps a session: " + cookies);
        long toMedia = tab.sentHeaders().stream()
                .filter(h -> h.getOrDefault("Host", "").startsWith(CrossDomainExample.MEDIA_HOST + ":")).count();
        assertTrue(toMedia >= 4, "the logo, the image, the PDF and the video came from the media host: " + network());
        // noCookieWentToTheMediaHost() checks what was sent
    }

    int indexOf(String url) {
        List<Chromium.Exchange> all = tab.exchanges();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).url().equals(url)) {
                return i;
            }
        }
        throw new AssertionError(url + " was never requested:\n" + network());
    }

    int lastIndexOf(String url) {
        List<Chromium.Exchange> all = tab.exchanges();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i).url().equals(url)) {
                return i;
            }
        }
        throw new AssertionError(url + " was never requested:\n" + network());
    }

    List<Integer> statusesFrom(int index) {
        return tab.exchanges().subList(index, tab.exchanges().size()).stream()
                .filter(e -> !e.url().endsWith("/favicon.ico")).map(Chromium.Exchange::status).toList();
    }

    static String token(String url) {
        int at = url.indexOf("token=");
        int end = url.indexOf('&', at);
        return url.substring(at + 6, end < 0 ? url.length() : end);
    }
}
