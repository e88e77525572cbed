package io.keyhole.examples.crossdomain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.media.MediaPath;
import io.keyhole.testing.Chromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The round trip with the media host streaming the bytes itself, as in the runnable example. */
class StreamRoundTripTest extends BrowserRoundTrip {

    @Override
    Hosts startHosts(Path root) throws Exception {
        return new Hosts(root, port -> "http://" + CrossDomainExample.MEDIA_HOST + ":" + port + "/media/", b -> b,
                Duration.ZERO);
    }

    @Test
    void theMediaHostAnsweredTheVideosRangeRequests() {
        theVideoPlays();
        String clip = "/media/" + MediaPath.of(VIDEO).urlPath();
        List<Hosts.Seen> video = hosts.seenByMedia.stream().filter(s -> s.path().equals(clip)).toList();
        assertTrue(video.stream().anyMatch(s -> s.range() != null && s.status() == 206), video.toString());
        assertTrue(video.stream().allMatch(s -> s.query().startsWith("token=k1.")), video.toString());
    }

    /**
     * Clocks far apart: the application's runs ten minutes behind, so every token it makes has
     * expired by the media host's clock. The browser goes to the application once, comes back,
     * and gets a page that says what is wrong instead of going round for ever.
     */
    @Test
    void aRedirectLoopEndsOnAPageThatSaysWhy(@org.junit.jupiter.api.io.TempDir Path other) throws Exception {
        new MediaLibrary().writeTo(other);
        try (Hosts apart = new Hosts(other, port -> "http://" + CrossDomainExample.MEDIA_HOST + ":" + port + "/media/",
                b -> b, Duration.ofMinutes(-10))) {
            Chromium.Tab t = chromium.open();
            t.navigate(apart.appUrl("/"));
            t.evaluate("document.getElementById('user').value = 'alice';"
                    + "document.getElementById('password').value = 'wonderland'; document.forms[0].submit(); true");
            t.awaitTrue("document.getElementById('files') !== null", PATIENCE);
            String url = apart.settings.mediaUrl(MediaPath.of(PDF));
            t.navigate(url);
            List<Integer> statuses = t.exchanges().stream().filter(e -> e.url().startsWith(url)
                    || e.url().startsWith(apart.appUrl("/media/"))).map(Chromium.Exchange::status).toList();
            assertEquals(List.of(302, 302, 508), statuses, Chromium.describe(t.exchanges()));
            String page = t.evaluate("document.body.innerText").asText();
            assertTrue(page.contains("Keyhole stopped a redirect loop"), page);
            assertTrue(page.contains("clock is behind this host's"), page);
        }
    }
}
