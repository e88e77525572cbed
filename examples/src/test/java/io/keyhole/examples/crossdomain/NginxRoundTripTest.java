package io.keyhole.examples.crossdomain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.DeliveryMode;
import io.keyhole.media.MediaPath;
import io.keyhole.testing.Chromium;
import io.keyhole.testing.Nginx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same round trip with nginx in front of the media host, configured from the shipped
 * {@code nginx/cross-domain.conf}: Keyhole checks tokens and answers with X-Accel-Redirect,
 * nginx sends the bytes (and answers the video's range requests) from its internal location.
 */
class NginxRoundTripTest extends BrowserRoundTrip {

    static final Path CONF = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
            .resolve("nginx/cross-domain.conf");

    @TempDir
    static Path logs;
    Nginx nginx;
    Path accessLog;

    @Override
    Hosts startHosts(Path root) throws Exception {
        Nginx.assumeInstalled();
        String template = Files.readString(CONF, StandardCharsets.UTF_8);
        accessLog = logs.resolve("media.access.log");
        // The media URL names nginx's port, which the fixture picks once the Java host's port is bound.
        return new Hosts(root, javaPort -> {
            try {
                nginx = Nginx.start(port -> fill(template, port, javaPort, root));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return "http://" + CrossDomainExample.MEDIA_HOST + ":" + nginx.port() + "/media/";
        }, b -> b.delivery(DeliveryMode.X_ACCEL_REDIRECT).accelPrefix("/protected/"), Duration.ZERO);
    }

    @Override
    void stopFront() {
        if (nginx != null) {
            nginx.close();
        }
    }

    String fill(String template, int port, int javaPort, Path root) {
        for (String placeholder : List.of("@LISTEN@", "@MEDIA_HOST@", "@APP@", "@MEDIA_ROOT@", "@ACCESS_LOG@")) {
            assertTrue(template.contains(placeholder), "cross-domain.conf uses " + placeholder);
        }
        String conf = template
                .replace("@LISTEN@", "127.0.0.1:" + port)
                .replace("@MEDIA_HOST@", CrossDomainExample.MEDIA_HOST)
                .replace("@APP@", "127.0.0.1:" + javaPort)
                .replace("@MEDIA_ROOT@", root.toString())
                .replace("@ACCESS_LOG@", accessLog.toString());
        assertFalse(Pattern.compile("@[A-Z_]+@").matcher(conf).find(), "no placeholder is left");
        return conf;
    }

    @Test
    void nginxSentTheBytesAndKeptTheTokensOutOfItsLog() throws Exception {
        aSignedInUserReachesTheFilesBytes();
        theVideoPlays();
        for (Hosts.Seen seen : hosts.seenByMedia) {
            if (seen.range() != null) {
                assertEquals(200, seen.status(), "Keyhole leaves the range to nginx: " + seen);
            }
        }
        String log = Files.readString(accessLog, StandardCharsets.UTF_8);
        assertTrue(log.contains("\"GET /media/alice/clip.mp4 HTTP/1.1\" 206"), log);
        assertFalse(log.contains("token="), "no token in nginx's access log:\n" + log);
    }

    @Test
    void theInternalLocationAndTheRestAreClosed() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (String path : List.of("/protected/" + MediaPath.of(PDF).urlPath(), "/", "/elsewhere")) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(nginx.uri(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode(), path);
        }
        // asked directly, the Java host shows only the header nginx acts on
        HttpResponse<byte[]> direct = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + hosts.mediaJavaPort() + "/media/" + MediaPath.of(PDF).urlPath() + "?token="
                + hosts.settings.signer().sign(MediaPath.of(PDF)))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("/protected/alice/Quarterly%20report.pdf", direct.headers().firstValue("X-Accel-Redirect")
                .orElse(null));
        assertEquals(0, direct.body().length);
    }

    @Test
    void headersSurviveTheInternalRedirect() throws Exception {
        signIn("alice", "wonderland");
        view(PDF);
        String link = tab.evaluate("document.getElementById('open').href").asText();
        tab.navigate(link);
        Chromium.Exchange pdf = responsesFrom(link).get(0);
        assertEquals(200, pdf.status(), network());
        assertEquals("application/pdf", pdf.headers().get("Content-Type"), "Keyhole's, kept by nginx");
        assertEquals("inline; filename=\"Quarterly report.pdf\"", pdf.headers().get("Content-Disposition"));
        assertEquals("private", pdf.headers().get("Cache-Control"));
        assertEquals("no-referrer", pdf.headers().get("Referrer-Policy"), "set by cross-domain.conf");
        assertEquals("nosniff", pdf.headers().get("X-Content-Type-Options"), "set by cross-domain.conf");
        assertEquals(String.valueOf(Files.size(root.resolve(PDF))), pdf.headers().get("Content-Length"));
        assertNull(pdf.headers().get("X-Accel-Redirect"), "nginx consumes it");
        assertNull(pdf.headers().get("Content-Security-Policy"), "none for a PDF, which browsers' viewers refuse to show sandboxed");

        view(IMAGE);
        tab.awaitTrue("document.getElementById('media').complete", PATIENCE);
        Chromium.Exchange png = responsesFrom(tab.evaluate("document.getElementById('media').src").asText()).get(0);
        assertEquals(200, png.status(), network());
        assertEquals("sandbox", png.headers().get("Content-Security-Policy"), "Keyhole's, copied back by cross-domain.conf");
        assertEquals("nosniff", png.headers().get("X-Content-Type-Options"), "set by cross-domain.conf");
    }
}
