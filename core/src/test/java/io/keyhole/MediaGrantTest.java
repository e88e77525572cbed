package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.media.MediaGrant;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import io.keyhole.testing.TestClock;
import io.keyhole.testing.TestRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tokens for a directory (the segments of a video stream, the pages of a document), carried in a
 * URL or in the media cookie; optionally not before a moment and for one client address. Each
 * attack first: siblings, tampered scopes, short tokens stretched, cookies from elsewhere.
 */
class MediaGrantTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final MediaPath VIDEO = MediaPath.of("videos/v1");

    @TempDir
    Path dir;
    final TestClock clock = new TestClock(T0);
    MediaSettings media;
    Keyhole keyhole;

    /** A request from a known client address. */
    record From(TestRequest request, String remoteAddress) implements RequestView {
        @Override
        public String method() {
            return request.method();
        }

        @Override
        public String path() {
            return request.path();
        }

        @Override
        public String query() {
            return request.query();
        }

        @Override
        public List<NameValue> headers() {
            return request.headers();
        }

        @Override
        public List<NameValue> cookies() {
            return request.cookies();
        }

        @Override
        public List<String> values(String name) {
            return request.values(name);
        }
    }

    @BeforeEach
    void mediaHost() throws Exception {
        Path root = Files.createDirectories(dir.resolve("media"));
        for (String f : List.of("videos/v1/playlist.m3u8", "videos/v1/seg-001.ts", "videos/v1/hd/seg-001.ts",
                "videos/v10/seg-001.ts", "videos/v1.ts", "videos/secret.txt")) {
            Files.createDirectories(root.resolve(f).getParent());
            Files.writeString(root.resolve(f), f);
        }
        Map<String, String> p = new HashMap<>(Map.of("site-url", "https://www.example.com",
                "media-url", "https://media.example.org/media/", "media-root", root.toString(),
                "media-key", "k1:0123456789abcdef0123456789abcdef", "media-cookie", "keyhole_media"));
        media = MediaSettings.builder().clock(clock).properties(p).build();
        keyhole = new Keyhole(KeyholeConfig.builder().media(media).build());
    }

    private Delivery withToken(String file, String token) {
        return keyhole.decide(TestRequest.get("/media/" + file).withQuery("token=" + token));
    }

    private Delivery withCookie(String file, String token) {
        return keyhole.decide(TestRequest.get("/media/" + file).withCookies(List.of(new NameValue("keyhole_media", token))));
    }

    private String directoryToken() {
        return media.signer().sign(MediaGrant.directory(VIDEO), "GET");
    }

    @Test
    void aDirectoryTokenCoversEveryFileBelowAndComesBackAsACookie() {
        String url = media.signedUrl(MediaPath.of("videos/v1/playlist.m3u8"), MediaGrant.directory(VIDEO));
        String token = url.substring(url.indexOf("token=") + 6);
        Delivery.Send playlist = assertInstanceOf(Delivery.Send.class, withToken("videos/v1/playlist.m3u8", token));
        assertEquals("keyhole_media=" + token + "; Path=/media/videos/v1/; Max-Age=120; HttpOnly; Secure; SameSite=None",
                playlist.header("Set-Cookie"));
        for (String segment : List.of("videos/v1/seg-001.ts", "videos/v1/hd/seg-001.ts")) {
            Delivery.Send s = assertInstanceOf(Delivery.Send.class, withCookie(segment, token));
            assertEquals(segment, s.file().relativePath());
            assertNull(s.header("Set-Cookie"), "a cookie is not set again from itself");
        }
        clock.advance(java.time.Duration.ofSeconds(60));
        assertTrue(withToken("videos/v1/seg-001.ts", token).header("Set-Cookie").contains("Max-Age=60"),
                "the cookie lives as long as the token");
    }

    @ParameterizedTest
    @CsvSource({
        // file outside the directory | why
        "videos/v10/seg-001.ts,  a sibling whose name starts the same",
        "videos/v1.ts,           a file named like the directory",
        "videos/secret.txt,      the parent directory",
    })
    void filesOutsideTheDirectoryAreNotCovered(String file, String why) {
        String token = directoryToken();
        assertEquals(403, withToken(file, token).status(), why + ": a URL token for another place is refused");
        Delivery viaCookie = withCookie(file, token);
        assertInstanceOf(Delivery.Redirect.class, viaCookie, why + ": a cookie for another place counts as none");
        assertFalse(viaCookie instanceof Delivery.Send);
    }

    @Test
    void dotSegmentsCannotLeadOutOfTheDirectory() {
        String token = directoryToken();
        for (String path : List.of("videos/v1/../secret.txt", "videos/v1/./../v10/seg-001.ts", "videos/v1//../v1.ts")) {
            Delivery d = withToken(path, token);
            assertEquals(404, d.status(), path);
            assertEquals(404, withCookie(path, token).status(), path);
        }
        assertEquals(403, withToken("videos/v1", token).status(), "the directory itself is no file it covers");
    }

    @Test
    void aTamperedScopeOrAStretchedShortTokenIsRefused() {
        String token = directoryToken();
        String[] parts = token.split("\\.");
        String wider = Base64.getUrlEncoder().withoutPadding().encodeToString("d\nvideos\n\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(403, withToken("videos/secret.txt", parts[0] + "." + parts[1] + "." + parts[2] + "." + wider).status());
        String later = parts[0] + "." + (Long.parseLong(parts[1]) + 60) + "." + parts[2] + "." + parts[3];
        assertEquals(403, withToken("videos/v1/seg-001.ts", later).status(), "the expiry is signed too");
        // a short token for one file, given a scope it was never signed with
        String one = media.signer().sign(MediaPath.of("videos/v1/seg-001.ts"));
        assertEquals(200, withToken("videos/v1/seg-001.ts", one).status());
        assertEquals(403, withToken("videos/v1/hd/seg-001.ts", one + "." + parts[3]).status());
        // a forged cookie sends the browser for a fresh token; it is no 403 a planted cookie could cause
        assertInstanceOf(Delivery.Redirect.class, withCookie("videos/v1/seg-001.ts", later));
    }

    @Test
    void notBeforeIsInsideTheToken() {
        String token = media.signer().sign(MediaGrant.directory(VIDEO).notBefore(T0.plusSeconds(60)), "GET");
        assertEquals(403, withToken("videos/v1/seg-001.ts", token).status());
        clock.advance(java.time.Duration.ofSeconds(51));
        assertEquals(200, withToken("videos/v1/seg-001.ts", token).status(), "within the leeway of 10 s");
    }

    @Test
    void aTokenBoundToAClientAddressServesOnlyThatClient() {
        String token = media.signer().sign(MediaGrant.directory(VIDEO).boundTo("203.0.113.7"), "GET");
        TestRequest request = TestRequest.get("/media/videos/v1/seg-001.ts").withQuery("token=" + token);
        assertEquals(200, keyhole.decide(new From(request, "203.0.113.7")).status());
        assertEquals(403, keyhole.decide(new From(request, "203.0.113.8")).status());
        assertEquals(403, keyhole.decide(request).status(), "an unknown address is no match");
        String v6 = media.signer().sign(MediaGrant.file(MediaPath.of("videos/v1/seg-001.ts")).boundTo("::1"), "GET");
        TestRequest r6 = TestRequest.get("/media/videos/v1/seg-001.ts").withQuery("token=" + v6);
        assertEquals(200, keyhole.decide(new From(r6, "0:0:0:0:0:0:0:1")).status());
        for (String notALiteral : List.of("example.com", "999.1.1.1", "1.2.3", "fe80::1%eth0")) {
            assertThrows(IllegalArgumentException.class, () -> MediaGrant.directory(VIDEO).boundTo(notALiteral), notALiteral);
        }
    }

    @Test
    void withoutTheMediaCookieNoCookieIsSetOrRead() {
        Map<String, String> p = new HashMap<>(Map.of("site-url", "https://www.example.com",
                "media-url", "http://media.example.org/media/", "media-root", dir.resolve("media").toString(),
                "media-key", "k1:0123456789abcdef0123456789abcdef"));
        MediaSettings plain = MediaSettings.builder().clock(clock).properties(p).build();
        Keyhole k = new Keyhole(KeyholeConfig.builder().media(plain).build());
        String token = plain.signer().sign(MediaGrant.directory(VIDEO), "GET");
        Delivery d = k.decide(TestRequest.get("/media/videos/v1/seg-001.ts").withQuery("token=" + token));
        assertEquals(200, d.status());
        assertNull(d.header("Set-Cookie"));
        assertInstanceOf(Delivery.Redirect.class, k.decide(TestRequest.get("/media/videos/v1/seg-001.ts")
                .withCookies(List.of(new NameValue("keyhole_media", token)))));
    }

    private static void assertFalse(boolean condition) {
        org.junit.jupiter.api.Assertions.assertFalse(condition);
    }
}
