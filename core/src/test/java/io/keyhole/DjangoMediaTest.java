package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import io.keyhole.testing.Django;
import io.keyhole.testing.TestClock;
import io.keyhole.testing.TestRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Django site using crossdomainmedia points its media domain at Keyhole: tokens minted by real
 * Django are accepted, refused or sent for renewal exactly as the Django view decides; tokens
 * minted by Keyhole's application side pass Django's {@code TimestampSigner.unsign}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DjangoMediaTest {

    static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
    static final String SECRET = "django-insecure-7#x@q!w(9)k$e%s^t&r*e+t=-_k3y";
    static final String FORMER = "the former SECRET_KEY (still in SECRET_KEY_FALLBACKS)";
    static final String PDF = "/media/docs/report.pdf";

    Django django;
    @TempDir
    Path dir;
    final TestClock clock = new TestClock(T0);
    Keyhole keyhole;
    MediaSettings media;

    @BeforeAll
    void startDjango() throws Exception {
        django = Django.start();
    }

    @AfterAll
    void stopDjango() throws Exception {
        if (django != null) {
            django.close();
        }
    }

    @BeforeEach
    void mediaHost() throws Exception {
        clock.set(T0);
        Path root = Files.createDirectories(dir.resolve("media/docs"));
        Files.writeString(root.resolve("report.pdf"), "%PDF-1.4 report");
        Files.writeString(root.resolve("other.pdf"), "%PDF-1.4 other");
        Files.writeString(root.resolve("Q&A (draft) 1+1=2.txt"), "odd name");
        Files.writeString(root.resolve("Résumé.txt"), "é");
        media = settings(Map.of());
        keyhole = new Keyhole(KeyholeConfig.builder().media(media).build());
    }

    private MediaSettings settings(Map<String, String> extra) {
        Map<String, String> p = new HashMap<>(Map.of(
                "site-url", "https://www.example.com",
                "media-url", "https://media.example.org/media/",
                "media-root", dir.resolve("media").toString(),
                "media-token-format", "django",
                "django-secret-key", SECRET,
                "django-secret-key-fallbacks", FORMER));
        p.putAll(extra);
        return MediaSettings.builder().clock(clock).properties(p).build();
    }

    /** The status Keyhole's media host answers, and where it redirects to. */
    private String keyholeSays(String urlPath, String token) {
        String decoded = MediaPath.fromUrl(urlPath.substring("/media/".length())).value();
        Delivery d = keyhole.decide(TestRequest.get("/media/" + decoded).withQuery(token == null ? null : "token=" + token));
        if (d instanceof Delivery.Redirect r) {
            return "302 " + r.location();
        }
        return Integer.toString(d.status());
    }

    /** What the crossdomainmedia view answers on the media host, given check_token's verdict. */
    private static String djangoView(String verdict, String urlPath) {
        return switch (verdict) {
            case "ok" -> "200";
            case "missing", "expired" -> "302 https://www.example.com" + urlPath;
            default -> "403";
        };
    }

    private void agree(String urlPath, String token, String expected) throws Exception {
        String verdict = django.check(SECRET, clock.instant(), 120, urlPath, token);
        assertEquals(expected, djangoView(verdict, urlPath), "Django's own verdict: " + verdict);
        assertEquals(djangoView(verdict, urlPath), keyholeSays(urlPath, token), "Keyhole and Django disagree on "
                + urlPath + " with token " + token);
    }

    @Test
    void aTokenMintedByDjangoIsAcceptedAndTheFileServed() throws Exception {
        String token = django.sign(SECRET, T0, PDF);
        agree(PDF, token, "200");
        Delivery.Send send = assertInstanceOf(Delivery.Send.class,
                keyhole.decide(TestRequest.get(PDF).withQuery("token=" + token)));
        assertEquals("docs/report.pdf", send.file().relativePath());
        assertEquals("15", send.header("Content-Length"));
    }

    @Test
    void refusedOrRedirectedExactlyAsTheDjangoViewWould() throws Exception {
        String token = django.sign(SECRET, T0, PDF);
        // signed for another path
        agree("/media/docs/other.pdf", token, "403");
        // tampered: a signature character changed, the timestamp moved, the parts swapped
        char last = token.charAt(token.length() - 1);
        agree(PDF, token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A'), "403");
        String[] parts = token.split(":");
        agree(PDF, DjangoTimestamp.plusOne(parts[0]) + ":" + parts[1], "403");
        agree(PDF, parts[1] + ":" + parts[0], "403");
        agree(PDF, "garbage", "403");
        agree(PDF, "", "403");
        // signed with another site's key
        agree(PDF, django.sign("another site's SECRET_KEY", T0, PDF), "403");
        // missing
        agree(PDF, null, "302 https://www.example.com" + PDF);
        // inside the max age, and just beyond it
        clock.set(T0.plusSeconds(120));
        agree(PDF, token, "200");
        clock.set(T0.plusSeconds(200));
        agree(PDF, token, "302 https://www.example.com" + PDF);
        // long expired
        clock.set(T0.plus(Duration.ofDays(3)));
        agree(PDF, token, "302 https://www.example.com" + PDF);
    }

    @Test
    void pathsWithCharactersDjangoLeavesUnescaped() throws Exception {
        // Django's reverse() keeps sub-delimiters such as & ( ) + = in the path it signs
        for (String path : List.of("/media/docs/Q&A%20(draft)%201+1=2.txt", "/media/docs/R%C3%A9sum%C3%A9.txt")) {
            agree(path, django.sign(SECRET, T0, path), "200");
        }
    }

    @Test
    void aTokenSignedWithAFallbackKeyIsAccepted() throws Exception {
        String token = django.sign(FORMER, T0, PDF);
        assertEquals("200", keyholeSays(PDF, token));
        // without the fallback configured it is a bad signature, as for Django
        Map<String, String> noFallback = new HashMap<>(Map.of("site-url", "https://www.example.com",
                "media-url", "https://media.example.org/media/", "media-root", dir.resolve("media").toString(),
                "media-token-format", "django", "django-secret-key", SECRET));
        Keyhole strict = new Keyhole(KeyholeConfig.builder().media(MediaSettings.builder().clock(clock)
                .properties(noFallback).build()).build());
        assertEquals(403, strict.decide(TestRequest.get(PDF).withQuery("token=" + token)).status());
    }

    @Test
    void aTokenMintedByKeyholeIsAcceptedByDjango() throws Exception {
        for (String file : List.of("docs/report.pdf", "docs/Q&A (draft) 1+1=2.txt", "docs/Résumé.txt")) {
            MediaPath path = MediaPath.of(file);
            String url = media.fullMediaUrl(path, true);
            String token = url.substring(url.indexOf("?token=") + 7);
            String signedPath = url.substring("https://media.example.org".length(), url.indexOf('?'));
            String djangoPath = media.authUrl(path).substring("https://www.example.com".length());
            assertEquals("ok", django.check(SECRET, T0.plusSeconds(119), 120, djangoPath, token), file);
            assertEquals("expired", django.check(SECRET, T0.plusSeconds(121), 120, djangoPath, token), file);
            assertEquals("200", keyholeSays(signedPath, token), file);
        }
        // the same token as Django would make at the same moment
        assertEquals(django.sign(SECRET, T0, PDF), media.signer().sign(MediaPath.of("docs/report.pdf")));
    }

    @Test
    void theMaxAgeIsASetting() throws Exception {
        MediaSettings longer = settings(Map.of("media-token-max-age", "10m"));
        Keyhole k = new Keyhole(KeyholeConfig.builder().media(longer).build());
        String token = django.sign(SECRET, T0, PDF);
        clock.set(T0.plusSeconds(590));
        assertEquals("ok", django.check(SECRET, clock.instant(), 600, PDF, token));
        assertEquals(200, k.decide(TestRequest.get(PDF).withQuery("token=" + token)).status());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("media-token-lifetime", "10m")))
                .getMessage().contains("media-token-max-age"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> settings(Map.of("media-cookie", "m")))
                .getMessage().contains("media-cookie"));
        // both names of the one limit: refused with both named (found by ConfigFuzzTest#mediaSettings,
        // which got an IllegalStateException from inside the signer)
        String both = assertThrows(IllegalArgumentException.class,
                () -> settings(Map.of("media-token-max-age", "10m", "media-token-lifetime", "20s"))).getMessage();
        assertTrue(both.contains("media-token-max-age") && both.contains("media-token-lifetime"), both);
    }

    @Test
    void theSecretComesInlineFromAFileOrFromTheEnvironment() throws Exception {
        Path file = Files.writeString(dir.resolve("secret.key"), SECRET + "\n");
        Map<String, String> p = new HashMap<>(Map.of("site-url", "https://www.example.com",
                "media-url", "https://media.example.org/media/", "media-root", dir.resolve("media").toString(),
                "media-token-format", "django", "django-secret-key", "file:" + file));
        MediaSettings fromFile = MediaSettings.builder().clock(clock).properties(p).build();
        assertEquals(django.sign(SECRET, T0, PDF), fromFile.signer().sign(MediaPath.of("docs/report.pdf")));
        p.put("django-secret-key", "env:KEYHOLE_TEST_NO_SUCH_VARIABLE");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MediaSettings.builder().properties(p).build())
                .getMessage().contains("the environment variable KEYHOLE_TEST_NO_SUCH_VARIABLE is not set"));
    }

    /** Base62 arithmetic on Django's timestamps, for tampering. */
    static final class DjangoTimestamp {
        private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

        static String plusOne(String base62) {
            long n = 0;
            for (char c : base62.toCharArray()) {
                n = n * 62 + DIGITS.indexOf(c);
            }
            n++;
            StringBuilder out = new StringBuilder();
            for (; n > 0; n /= 62) {
                out.append(DIGITS.charAt((int) (n % 62)));
            }
            return out.reverse().toString();
        }
    }
}
