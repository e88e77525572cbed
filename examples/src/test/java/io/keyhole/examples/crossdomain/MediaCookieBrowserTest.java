package io.keyhole.examples.crossdomain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyhole.KeyholeConfig;
import io.keyhole.media.MediaGrant;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import io.keyhole.testing.Chromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A video stream in a real browser with one directory token: the application links the playlist
 * with a token for its directory; the media host keeps that token in a cookie scoped to itself
 * and the directory; the player fetches 20 segments whose URLs carry no token. A segment outside
 * the directory gets no cookie and is sent to the application; the application host never
 * receives the cookie.
 */
class MediaCookieBrowserTest {

    static final String COOKIE = "keyhole_media";
    static final int SEGMENTS = 20;

    /** One request a host received: its path, query and Cookie header. */
    record Seen(String path, String query, String cookie, int status) {
    }

    @TempDir
    Path root;

    @Test
    void aPlaylistAndItsSegmentsPlayWithOneCookie() throws Exception {
        Chromium.assumeInstalled();
        StringBuilder playlist = new StringBuilder("#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
        Path dir = Files.createDirectories(root.resolve("videos/v1"));
        for (int i = 0; i < SEGMENTS; i++) {
            String name = String.format("seg-%03d.ts", i);
            Files.writeString(dir.resolve(name), "segment " + i + " bytes");
            playlist.append("#EXTINF:2.0,\n").append(name).append('\n');
        }
        Files.writeString(dir.resolve("playlist.m3u8"), playlist.append("#EXT-X-ENDLIST\n"));
        Files.createDirectories(root.resolve("videos/v10"));
        Files.writeString(root.resolve("videos/v10/seg-000.ts"), "another video");

        List<Seen> seenByMedia = new CopyOnWriteArrayList<>();
        List<Seen> seenByApp = new CopyOnWriteArrayList<>();
        Server media = Hosts.bound();
        Server app = Hosts.bound();
        try (Chromium chromium = Chromium.start()) {
            String appBase = "http://" + CrossDomainExample.APP_HOST + ":" + Hosts.port(app);
            String mediaBase = "http://" + CrossDomainExample.MEDIA_HOST + ":" + Hosts.port(media);
            MediaSettings settings = MediaSettings.builder().properties(Map.of("site-url", appBase,
                    "media-url", mediaBase + "/media/", "media-root", root.toString(),
                    "media-key", "k1:" + CrossDomainExample.newKey(), "media-cookie", COOKIE)).build();
            media.setRequestLog((request, response) -> seenByMedia.add(new Seen(request.getHttpURI().getPath(),
                    request.getHttpURI().getQuery(), request.getHeaders().get(HttpHeader.COOKIE), response.getStatus())));
            media.setHandler(CrossDomainExample.mediaHost(KeyholeConfig.builder().media(settings).build()));
            // The application: a page linking the playlist with a token for the video's directory.
            String playlistUrl = settings.signedUrl(MediaPath.of("videos/v1/playlist.m3u8"),
                    MediaGrant.directory(MediaPath.of("videos/v1")));
            app.setRequestLog((request, response) -> seenByApp.add(new Seen(request.getHttpURI().getPath(),
                    request.getHttpURI().getQuery(), request.getHeaders().get(HttpHeader.COOKIE), response.getStatus())));
            app.setHandler(new Handler.Abstract() {
                @Override
                public boolean handle(Request request, Response response, Callback callback) {
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
                    response.write(true, StandardCharsets.UTF_8.encode("<!doctype html><title>Video</title>"
                            + "<a id=\"play\" href=\"" + playlistUrl + "\">Play</a>"), callback);
                    return true;
                }
            });
            media.start();
            app.start();

            Chromium.Tab tab = chromium.open();
            tab.call("Network.setCacheDisabled", Map.of("cacheDisabled", true));
            tab.navigate(appBase + "/watch");
            String link = tab.evaluate("document.getElementById('play').href").asText();
            assertEquals(playlistUrl, link);
            // The player runs in a page of the media host (a playlist is no document a browser shows).
            tab.navigate(mediaBase + "/media/");
            JsonNode fetched = tab.evaluate("(async () => { const out = [];"
                    + " const list = await fetch('" + link + "', {cache: 'no-store'});"
                    + " const names = (await list.text()).split('\\n').filter(l => l.endsWith('.ts'));"
                    + " for (const n of names) { const r = await fetch(new URL(n, list.url), {cache: 'no-store'});"
                    + "   out.push([r.url, r.status, await r.text()]); }"
                    + " return out; })()");
            assertEquals(SEGMENTS, fetched.size(), fetched.toString());
            for (int i = 0; i < SEGMENTS; i++) {
                JsonNode one = fetched.get(i);
                assertFalse(one.get(0).asText().contains("token"), one.toString());
                assertEquals(200, one.get(1).asInt(), one.toString() + "\n" + Chromium.describe(tab.exchanges()));
                assertEquals("segment " + i + " bytes", one.get(2).asText());
            }
            // a request is logged once its response is complete, which may be just after the browser has it
            List<Seen> segments = awaitSeen(seenByMedia, s -> s.path().endsWith(".ts"), SEGMENTS);
            assertEquals(SEGMENTS, segments.size(), segments.toString());
            String token = playlistUrl.substring(playlistUrl.indexOf("token=") + 6);
            for (Seen s : segments) {
                assertEquals(null, s.query(), "no token in a segment URL: " + s);
                assertEquals(COOKIE + "=" + token, s.cookie(), "one cookie, the directory token: " + s);
                assertEquals(200, s.status());
            }

            // Outside the directory: the browser sends no cookie, and the media host sends it to the application.
            JsonNode outside = tab.evaluate("fetch('/media/videos/v10/seg-000.ts', {redirect: 'manual'})"
                    + ".then(r => r.type)");
            assertEquals("opaqueredirect", outside.asText());
            Seen refused = awaitSeen(seenByMedia, s -> s.path().equals("/media/videos/v10/seg-000.ts"), 1).get(0);
            assertEquals(302, refused.status());
            assertEquals(null, refused.cookie(), "the cookie is scoped to the directory");

            // Back on the application: the media cookie never goes there.
            tab.navigate(appBase + "/watch?again=1");
            awaitSeen(seenByApp, s -> s.path().equals("/watch"), 2);
            List<String> appCookies = new ArrayList<>();
            for (Seen s : seenByApp) {
                if (s.cookie() != null) {
                    appCookies.add(s.cookie());
                }
            }
            assertTrue(appCookies.stream().noneMatch(c -> c.contains(COOKIE)), appCookies.toString());
            String jar = tab.call("Network.getCookies", Map.of("urls", List.of(appBase + "/", mediaBase + "/media/videos/v1/x")))
                    .toString();
            assertTrue(jar.contains("\"domain\":\"" + CrossDomainExample.MEDIA_HOST + "\""), jar);
            assertTrue(jar.contains("\"path\":\"/media/videos/v1/\""), jar);
            assertTrue(jar.contains("\"httpOnly\":true"), jar);
        } finally {
            CrossDomainExample.stop(app);
            CrossDomainExample.stop(media);
        }
    }

    /** What {@code seen} holds that matches, once it holds {@code count} such (the log is written as responses complete). */
    private static List<Seen> awaitSeen(List<Seen> seen, Predicate<Seen> matching, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Seen> found = seen.stream().filter(matching).toList();
        while (found.size() < count && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            found = seen.stream().filter(matching).toList();
        }
        assertEquals(count, found.size(), seen.toString());
        return found;
    }
}
