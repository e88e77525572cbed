package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.DeliveryMode;
import io.keyhole.KeyholeConfig;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import io.keyhole.observe.Answered;
import io.keyhole.observe.Outcome;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.RecordingListener;
import io.keyhole.testing.TestClock;
import jakarta.servlet.DispatcherType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KeyholeFilter as a media host on a real Jetty: what goes over the wire. */
class MediaHostTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String KEY = "0123456789abcdef0123456789abcdef";
    static final MediaPath PDF = MediaPath.of("docs/Résumé.pdf");
    static final byte[] BYTES = "%PDF-1.4 résumé".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path root;
    final TestClock clock = new TestClock(T0);

    @BeforeEach
    void files() throws Exception {
        Files.createDirectories(root.resolve("docs"));
        Files.write(root.resolve("docs/Résumé.pdf"), BYTES);
    }

    private Map<String, String> params() {
        Map<String, String> p = new HashMap<>();
        p.put("site-url", "http://app.localhost:8080");
        p.put("media-url", "http://media.localhost:8081/media/");
        p.put("media-key", "k1:" + KEY);
        p.put("media-root", root.toString());
        return p;
    }

    private MediaSettings settings(Map<String, String> p) {
        return MediaSettings.builder().clock(clock).properties(p).build();
    }

    private JettyHarness start(Map<String, String> p, DeliveryMode mode) throws Exception {
        KeyholeConfig.Builder b = KeyholeConfig.builder().media(settings(p));
        if (mode != DeliveryMode.STREAM) {
            b.delivery(mode);
        }
        return JettyHarness.start(b.build());
    }

    private String signed(MediaPath path) {
        String url = settings(params()).fullMediaUrl(path, true);
        return url.substring(url.indexOf("/media/"));
    }

    @Test
    void aValidTokenGetsTheBytes() throws Exception {
        try (JettyHarness media = start(params(), DeliveryMode.STREAM)) {
            RawHttp.Response r = RawHttp.request(media.port(), "GET", signed(PDF));
            assertEquals(200, r.status());
            assertArrayEquals(BYTES, r.body());
            assertEquals("application/pdf", r.header("Content-Type"));
            assertEquals("inline; filename=\"R_sum_.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf",
                    r.header("Content-Disposition"));
            assertEquals("no-referrer", r.header("Referrer-Policy"));

            RawHttp.Response part = RawHttp.request(media.port(), "GET", signed(PDF), "Range: bytes=9-");
            assertEquals(206, part.status());
            assertEquals("bytes 9-" + (BYTES.length - 1) + "/" + BYTES.length, part.header("Content-Range"));
        }
    }

    @Test
    void mediaRequestsAreReported() throws Exception {
        RecordingListener events = new RecordingListener();
        try (JettyHarness media = JettyHarness.start(KeyholeConfig.builder().media(settings(params()))
                .listener(events).build())) {
            assertEquals(200, RawHttp.request(media.port(), "GET", signed(PDF)).status());
            assertEquals(302, RawHttp.request(media.port(), "GET", "/media/" + PDF.urlPath()).status());
            List<Answered> got = events.awaitAnswered(2);
            assertEquals(List.of(Outcome.GRANTED, Outcome.DENIED), got.stream().map(Answered::outcome).toList());
            assertEquals(BYTES.length, got.get(0).bytes());
            assertEquals(List.of(), events.asked(), "a signed URL is its own grant: no backend");
        }
    }

    @Test
    void withoutATokenTheBrowserGoesToTheApplication() throws Exception {
        try (JettyHarness media = start(params(), DeliveryMode.STREAM)) {
            RawHttp.Response r = RawHttp.request(media.port(), "GET", "/media/" + PDF.urlPath());
            assertEquals(302, r.status());
            assertEquals("http://app.localhost:8080/media/docs/R%C3%A9sum%C3%A9.pdf?bounced=" + T0.getEpochSecond(),
                    r.header("Location"));
            assertEquals("no-store", r.header("Cache-Control"));
            assertEquals("0", r.header("Content-Length"));
            assertEquals(0, r.body().length);
        }
    }

    @Test
    void anExpiredTokenGoesTheSameWay() throws Exception {
        try (JettyHarness media = start(params(), DeliveryMode.STREAM)) {
            String url = signed(PDF);
            clock.advance(Duration.ofSeconds(131));
            RawHttp.Response r = RawHttp.request(media.port(), "GET", url);
            assertEquals(302, r.status());
            assertTrue(r.header("Location").startsWith("http://app.localhost:8080/media/docs/"), r.header("Location"));
        }
    }

    @Test
    void aTamperedTokenIsForbidden() throws Exception {
        try (JettyHarness media = start(params(), DeliveryMode.STREAM)) {
            String url = signed(PDF);
            String tampered = url.replace("/media/docs/", "/media/docs/x");
            RawHttp.Response r = RawHttp.request(media.port(), "GET", tampered);
            assertEquals(403, r.status());
            assertEquals("invalid media token\n", r.text());
            assertEquals("no-store", r.header("Cache-Control"));
        }
    }

    @Test
    void aLoopEndsOnAPageThatSaysWhy() throws Exception {
        try (JettyHarness media = start(params(), DeliveryMode.STREAM)) {
            RawHttp.Response r = RawHttp.request(media.port(), "GET",
                    "/media/" + PDF.urlPath() + "?bounced=" + T0.getEpochSecond());
            assertEquals(508, r.status());
            assertEquals("text/plain;charset=utf-8", r.header("Content-Type"));
            assertTrue(r.text().startsWith("Keyhole stopped a redirect loop between this media host and"
                    + " http://app.localhost:8080."), r.text());
        }
    }

    @Test
    void xAccelModeLeavesTheBytesToNginx() throws Exception {
        Map<String, String> p = params();
        p.put("internal-media-prefix", "/protected/");
        try (JettyHarness media = start(p, DeliveryMode.X_ACCEL_REDIRECT)) {
            RawHttp.Response r = RawHttp.request(media.port(), "GET", signed(PDF));
            assertEquals(200, r.status());
            assertEquals("/protected/docs/R%C3%A9sum%C3%A9.pdf", r.header("X-Accel-Redirect"));
            assertEquals("no-referrer", r.header("Referrer-Policy"));
            assertEquals(0, r.body().length);
            assertEquals(302, RawHttp.request(media.port(), "GET", "/media/" + PDF.urlPath()).status());
        }
    }

    @Test
    void initParamsConfigureAMediaHost() throws Exception {
        try (JettyHarness media = JettyHarness.start(params())) {
            RawHttp.Response r = RawHttp.request(media.port(), "GET", "/media/" + PDF.urlPath());
            assertEquals(302, r.status());
            RawHttp.Response other = RawHttp.request(media.port(), "GET", "/elsewhere");
            assertEquals(404, other.status(), "outside the media prefix the filter passes the request on");
            assertNull(other.header("Location"));
        }
    }

    @Test
    void aMisconfiguredMediaHostDoesNotStart() {
        Map<String, String> p = params();
        p.put("fs-root", root.toString());
        FilterHolder holder = new FilterHolder(KeyholeFilter.class);
        holder.setInitParameters(p);
        Exception e = assertThrows(Exception.class, () -> TestServer.start(c ->
                c.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST))).close());
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof jakarta.servlet.ServletException)) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().contains("asks no backend; drop fs-root"), cause.getMessage());
    }
}
