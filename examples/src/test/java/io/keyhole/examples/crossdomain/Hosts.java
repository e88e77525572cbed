package io.keyhole.examples.crossdomain;

import io.keyhole.KeyholeConfig;
import io.keyhole.media.MediaSettings;
import io.keyhole.servlet.CrossDomainMedia;
import io.keyhole.testing.TestClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The example's two hosts for tests, with a clock the test turns and a record of every request
 * that reached the Java media host: what it carried and what it was answered.
 */
final class Hosts implements AutoCloseable {

    /** One request at the media host. */
    record Seen(String method, String path, String query, String cookie, String range, int status) {
    }

    /** The media host's clock, and the application's unless told otherwise. */
    final TestClock clock = new TestClock(Instant.parse("2026-01-01T12:00:00Z"));
    final List<Seen> seenByMedia = new CopyOnWriteArrayList<>();
    final Server app;
    final Server media;
    /** The media host's settings. */
    final MediaSettings settings;

    /**
     * @param root           the media root, filled already
     * @param mediaUrl       given the media host's Java port, the media URL browsers use
     * @param configure      completes the media host's configuration (e.g. its delivery)
     * @param appClockOffset how far the application's clock is off the media host's
     */
    Hosts(Path root, IntFunction<String> mediaUrl, UnaryOperator<KeyholeConfig.Builder> configure,
          Duration appClockOffset) throws Exception {
        app = bound();
        media = bound();
        try {
            Map<String, String> text = CrossDomainExample.settings("http://" + CrossDomainExample.APP_HOST + ":"
                    + port(app), mediaUrl.apply(port(media)), root, CrossDomainExample.newKey());
            settings = MediaSettings.builder().clock(clock).properties(text).build();
            MediaSettings appSettings = appClockOffset.isZero() ? settings
                    : MediaSettings.builder().clock(Clock.offset(clock, appClockOffset)).properties(text).build();
            media.setRequestLog((request, response) -> seenByMedia.add(new Seen(request.getMethod(),
                    request.getHttpURI().getPath(), request.getHttpURI().getQuery(),
                    request.getHeaders().get(HttpHeader.COOKIE), request.getHeaders().get(HttpHeader.RANGE),
                    response.getStatus())));
            media.setHandler(CrossDomainExample.mediaHost(configure.apply(KeyholeConfig.builder().media(settings)).build()));
            app.setHandler(CrossDomainExample.application(CrossDomainMedia.of(appSettings), new MediaLibrary()));
            media.start();
            app.start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    String appUrl(String path) {
        return "http://" + CrossDomainExample.APP_HOST + ":" + port(app) + path;
    }

    int mediaJavaPort() {
        return port(media);
    }

    static Server bound() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        connector.open();
        return server;
    }

    static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() {
        try {
            CrossDomainExample.stop(app);
        } finally {
            CrossDomainExample.stop(media);
        }
    }
}
