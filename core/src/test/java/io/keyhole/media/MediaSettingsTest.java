package io.keyhole.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.Delivery;
import io.keyhole.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Media settings from text, and the application's answers they lead to. */
class MediaSettingsTest {

    static final String KEY = "0123456789abcdef0123456789abcdef";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final MediaPath PDF = MediaPath.of("docs/Résumé.pdf");

    @TempDir
    Path dir;

    private Map<String, String> production() {
        Map<String, String> p = new HashMap<>();
        p.put("site-url", "https://www.example.com");
        p.put("media-url", "https://media.example.org/media/");
        p.put("media-key", "k1:" + KEY);
        return p;
    }

    private MediaSettings settings(Map<String, String> p) {
        return MediaSettings.builder().clock(new TestClock(T0)).properties(p).build();
    }

    @Test
    void defaults() {
        MediaSettings s = settings(production());
        assertFalse(s.development());
        assertEquals("https://www.example.com", s.siteUrl().toString());
        assertEquals("/media/", s.mediaPrefix());
        assertEquals(MediaUrlSigner.DEFAULT_LIFETIME, s.signer().lifetime());
        assertEquals(Duration.ofSeconds(10), s.signer().leeway());
        assertTrue(s.signer().bindsMethod());
        assertNull(s.root());
        assertNull(s.internalMediaPrefix());
        assertEquals(List.of(), s.publicPaths());
        assertEquals(Duration.ofSeconds(30), s.loopWindow());
    }

    @Test
    void everyKeyFromText() throws Exception {
        Path k2 = Files.writeString(dir.resolve("k2.key"), "k2-" + KEY + "\n");
        Path k1 = Files.writeString(dir.resolve("k1.key"), KEY + "\n");
        Map<String, String> p = production();
        p.put("media-key", "k2:file:" + k2);
        p.put("media-verify-keys", "k1:file:" + k1 + " , k0:" + "x".repeat(40));
        p.put("media-root", dir.toString());
        p.put("internal-media-prefix", "/protected");
        p.put("media-token-lifetime", "20s");
        p.put("media-token-leeway", "0");
        p.put("media-bind-method", "no");
        p.put("media-public-paths", "public/, logo.png");
        p.put("site-url", "https://www.example.com/app/");
        MediaSettings s = settings(p);
        assertEquals(List.of("k2", "k1", "k0"), s.signer().keyIds());
        assertEquals(Duration.ofSeconds(20), s.signer().lifetime());
        assertEquals(Duration.ZERO, s.signer().leeway());
        assertFalse(s.signer().bindsMethod());
        assertEquals(dir.toAbsolutePath(), s.root().root());
        assertEquals("/protected/", s.internalMediaPrefix());
        assertTrue(s.isPublic(MediaPath.of("public/a/b.png")));
        assertTrue(s.isPublic(MediaPath.of("logo.png")));
        assertFalse(s.isPublic(MediaPath.of("logo.png.bak")));
        assertEquals("https://www.example.com/app/media/docs/R%C3%A9sum%C3%A9.pdf", s.authUrl(PDF));
        assertEquals(Duration.ofSeconds(20), s.loopWindow(), "never longer than a token lives");

        // the old key's tokens verify: the verifying keys were read from their files
        MediaUrlSigner old = MediaUrlSigner.builder().signingKey("k1", KEY.getBytes()).bindMethod(false)
                .lifetime(Duration.ofSeconds(20))
                .clock(new TestClock(T0)).build();
        assertInstanceOf(TokenCheck.Valid.class, s.signer().check(old.sign(PDF), PDF, "GET"));
    }

    @Test
    void mediaUrls() {
        MediaSettings s = settings(production());
        assertEquals("https://media.example.org/media/docs/R%C3%A9sum%C3%A9.pdf", s.mediaUrl(PDF));
        assertEquals(s.mediaUrl(PDF), s.fullMediaUrl(PDF, false));
        String signed = s.fullMediaUrl(PDF, true);
        assertTrue(signed.matches("https://media\\.example\\.org/media/docs/R%C3%A9sum%C3%A9\\.pdf"
                + "\\?token=k1\\.1767225720\\.[A-Za-z0-9_-]{22}"), signed);
        String token = signed.substring(signed.indexOf('=') + 1);
        assertInstanceOf(TokenCheck.Valid.class, s.signer().check(token, PDF, "GET"));
    }

    @Test
    void developmentModeServesFromTheApplicationWithoutTokens() {
        MediaSettings s = settings(Map.of("media-url", "/media"));
        assertTrue(s.development());
        assertEquals("/media/", s.mediaPrefix());
        assertEquals("/media/docs/R%C3%A9sum%C3%A9.pdf", s.fullMediaUrl(PDF, true));
        Delivery here = Delivery.reply(200, "the file itself");
        assertSame(here, s.answer(PDF, false, () -> true, null, p -> p.equals(PDF) ? here : null));
        assertForbidden(s.answer(PDF, false, () -> false, null, SERVE_HERE));
        assertThrows(IllegalStateException.class, () -> s.authUrl(PDF));
    }

    @Test
    void theApplicationsAnswers() {
        MediaSettings s = settings(production());
        String bare = s.mediaUrl(PDF);
        assertEquals(bare, redirect(s.answer(PDF, true, () -> {
            throw new AssertionError("public media need no permission check");
        }, null, SERVE_HERE)).location());
        assertForbidden(s.answer(PDF, false, () -> false, "bounced=1767225600", SERVE_HERE));
        Delivery.Redirect signed = redirect(s.answer(PDF, false, () -> true, null, SERVE_HERE));
        assertTrue(signed.location().startsWith(bare + "?token=k1."), signed.location());
        // the media host's mark goes back with the browser; anything else in the query does not
        Delivery.Redirect marked = redirect(s.answer(PDF, false, () -> true, "x=1&bounced=1767225600", SERVE_HERE));
        assertTrue(marked.location().matches(".*\\?token=k1\\.[^&]+&bounced=1767225600"), marked.location());
        assertEquals(bare + "?bounced=1767225600",
                redirect(s.answer(PDF, true, () -> false, "bounced=1767225600", SERVE_HERE)).location());
        for (String junk : new String[] {"bounced=", "bounced=12x", "bounced=1&bounced=2", "bounced=%31",
            "bounced=1234567890123"}) {
            Delivery.Redirect r = redirect(s.answer(PDF, true, () -> false, junk, SERVE_HERE));
            assertEquals(bare, r.location(), junk);
        }
    }

    /** Outside development mode the application never sends the file itself. */
    private static final Function<MediaPath, Delivery> SERVE_HERE = p -> {
        throw new AssertionError("only development mode serves " + p + " from the application");
    };

    /** A 302 that no cache keeps, with an empty body. */
    private static Delivery.Redirect redirect(Delivery d) {
        Delivery.Redirect r = assertInstanceOf(Delivery.Redirect.class, d);
        assertEquals(302, r.status());
        assertEquals("no-store", r.header("Cache-Control"));
        assertEquals("0", r.header("Content-Length"));
        return r;
    }

    private static void assertForbidden(Delivery d) {
        Delivery.Reply r = assertInstanceOf(Delivery.Reply.class, d);
        assertEquals(403, r.status());
        assertEquals("forbidden", r.message());
        assertEquals("no-store", r.header("Cache-Control"));
    }

    @Test
    void bouncedMark() {
        assertEquals(Instant.ofEpochSecond(1767225600), MediaSettings.bouncedAt("token=x&bounced=1767225600"));
        assertNull(MediaSettings.bouncedAt(null));
        assertNull(MediaSettings.bouncedAt("bounced=-1"));
        assertNull(MediaSettings.bouncedAt("bounced=1&bounced=1"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "media-url             | ftp://media.example.org/      | must be an http or https URL",
        "media-url             | https://media.example.org/?a  | must be an http or https URL",
        "media-url             | https://u:p@media.example.org | must be an http or https URL",
        "media-url             | media.example.org/media/      | must be an http or https URL",
        "media-url             | https://www.example.com:8443/ | must name another host than site-url",
        "media-url             | /media/../x                   | must be an absolute URL path",
        "site-url              | https://www.example.com/a?b   | must be an http or https URL",
        "media-key             | k1                            | must read id:secret",
        "media-key             | k1:short                      | key 'k1' has 5 bytes",
        "media-key             | k.1:0123456789abcdef0123456789abcdef | key id 'k.1'",
        "media-verify-keys     | k1:0123456789abcdef0123456789abcdef | 'k1' is given twice",
        "media-token-lifetime  | 2h                            | media-token-lifetime must be whole seconds from 10s to 1h",
        "media-token-leeway    | soon                          | media-token-leeway must be a duration",
        "media-bind-method     | maybe                         | media-bind-method must be yes or no",
        "media-public-paths    | ../secret/                    | media-public-paths: '../secret/'",
        "internal-media-prefix | protected                     | internal-media-prefix must be an absolute URL path",
        "media-keys            | x                             | unknown media setting 'media-keys'",
    })
    void badValuesNameTheirKey(String key, String value, String message) {
        Map<String, String> p = production();
        p.put(key, value);
        var e = assertThrows(IllegalArgumentException.class, () -> settings(p));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void missingSettingsSayWhatTheyAreFor() {
        Map<String, String> p = production();
        p.remove("media-url");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(p)).getMessage()
                .startsWith("media-url is required"));
        Map<String, String> q = production();
        q.remove("site-url");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(q)).getMessage()
                .startsWith("site-url is required"));
        Map<String, String> r = production();
        r.remove("media-key");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(r)).getMessage()
                .startsWith("media-key is required"));
        Map<String, String> t = production();
        t.remove("media-key");
        t.put("media-token-lifetime", "60s");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(t)).getMessage()
                .contains("media-token-lifetime needs media-key"));
    }

    @Test
    void aSignerInCodeKeepsItsOwnClock() {
        MediaUrlSigner signer = MediaUrlSigner.builder().signingKey("k1", KEY.getBytes()).build();
        var e = assertThrows(IllegalArgumentException.class, () -> MediaSettings.builder().signer(signer)
                .clock(new TestClock(T0)).mediaUrl("/media/").build());
        assertTrue(e.getMessage().contains("has its own clock"), e.getMessage());
        var twice = assertThrows(IllegalArgumentException.class, () -> MediaSettings.builder().signer(signer)
                .properties(production()).build());
        assertTrue(twice.getMessage().contains("drop media-key"), twice.getMessage());
    }
}
