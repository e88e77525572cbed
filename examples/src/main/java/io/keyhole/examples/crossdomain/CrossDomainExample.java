package io.keyhole.examples.crossdomain;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.CrossDomainMedia;
import io.keyhole.servlet.KeyholeFilter;
import io.keyhole.servlet.MediaAuthServlet;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * A small web application whose private media live on another host, which never sees the
 * application's session cookie. Two servers on this machine:
 * <ul>
 *   <li>{@code http://app.localhost:8080/}: sign in, see your files, open one. Its pages link to
 *       the media host with URLs that carry a two-minute token; its {@code /media/*} endpoint
 *       gives browsers a fresh token when theirs has run out.</li>
 *   <li>{@code http://media.localhost:8081/media/}: {@link KeyholeFilter} in media mode serves
 *       a file for a valid token, and sends browsers without one to the application.</li>
 * </ul>
 * Browsers resolve every {@code *.localhost} name to this machine, so the two are separate
 * sites with separate cookies. Run it (from the repository root):
 * <pre>
 * ./mvnw -B -q -pl examples -am package -DskipTests
 * java -cp cli/target/keyhole.jar:examples/target/classes io.keyhole.examples.crossdomain.CrossDomainExample
 * </pre>
 */
public final class CrossDomainExample {

    /** The application's host name. */
    public static final String APP_HOST = "app.localhost";
    /** The media host's name. */
    public static final String MEDIA_HOST = "media.localhost";

    private CrossDomainExample() {
    }

    /**
     * The settings both hosts share, as text keys: exactly what a {@code .properties} file or
     * servlet init-params would hold.
     *
     * @param appUrl   e.g. {@code http://app.localhost:8080}
     * @param mediaUrl e.g. {@code http://media.localhost:8081/media/}
     * @param key      the signing key's secret
     */
    public static Map<String, String> settings(String appUrl, String mediaUrl, Path mediaRoot, String key) {
        Map<String, String> s = new HashMap<>();
        s.put("site-url", appUrl);
        s.put("media-url", mediaUrl);
        s.put("media-root", mediaRoot.toString());
        s.put("media-key", "k1:" + key);
        s.put("media-public-paths", "public/");
        return s;
    }

    /** The application host: its pages, and the media endpoint at the media URL's path. */
    public static ServletContextHandler application(CrossDomainMedia media, MediaLibrary library) {
        ServletContextHandler context = new ServletContextHandler("/");
        SessionHandler sessions = new SessionHandler();
        sessions.setHttpOnly(true);
        sessions.setSameSite(HttpCookie.SameSite.LAX);
        context.setSessionHandler(sessions);
        context.addServlet(new ServletHolder(new MediaAuthServlet(media, (request, path) ->
                library.find(path.value()).map(file -> new FileMediaAuth(media, file)).orElse(null))),
                media.settings().mediaPrefix() + "*");
        context.addServlet(new ServletHolder(new AppServlet(media, library)), "/");
        return context;
    }

    /** The media host: nothing but {@link KeyholeFilter} in media mode. */
    public static ServletContextHandler mediaHost(KeyholeConfig config) {
        ServletContextHandler context = new ServletContextHandler("/");
        context.addFilter(new FilterHolder(new KeyholeFilter(config)), "/*", EnumSet.of(DispatcherType.REQUEST));
        return context;
    }

    /** A fresh random signing key, base64url: 43 characters, 256 bits. */
    public static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    /** Both hosts running on 127.0.0.1, with the sample files in a temporary media root. */
    public static final class Running implements AutoCloseable {

        private final Server app;
        private final Server media;
        private final Path root;
        private final URI appUrl;
        private final URI mediaUrl;

        private Running(Server app, Server media, Path root, URI appUrl, URI mediaUrl) {
            this.app = app;
            this.media = media;
            this.root = root;
            this.appUrl = appUrl;
            this.mediaUrl = mediaUrl;
        }

        /** The application's start page. */
        public URI appUrl() {
            return appUrl;
        }

        /** The media host's base URL. */
        public URI mediaUrl() {
            return mediaUrl;
        }

        /** The temporary media root, removed on {@link #close()}. */
        public Path mediaRoot() {
            return root;
        }

        /** Waits until stopped. */
        public void join() throws InterruptedException {
            app.join();
        }

        /** Stops both hosts and removes the temporary media root. */
        @Override
        public void close() {
            try {
                stop(app);
            } finally {
                try {
                    stop(media);
                } finally {
                    deleteTree(root);
                }
            }
        }
    }

    /**
     * Starts both hosts; port 0 picks a free one.
     */
    public static Running start(int appPort, int mediaPort) throws Exception {
        Path root = Files.createTempDirectory("keyhole-media-");
        Server app = server(appPort);
        Server media = server(mediaPort);
        try {
            new MediaLibrary().writeTo(root);
            URI appUrl = URI.create("http://" + APP_HOST + ":" + port(app) + "/");
            URI mediaUrl = URI.create("http://" + MEDIA_HOST + ":" + port(media) + "/media/");
            Map<String, String> settings = settings("http://" + APP_HOST + ":" + port(app), mediaUrl.toString(), root,
                    newKey());
            media.setHandler(mediaHost(KeyholeConfig.fromProperties(settings)));
            app.setHandler(application(CrossDomainMedia.fromProperties(settings), new MediaLibrary()));
            media.start();
            app.start();
            return new Running(app, media, root, appUrl, mediaUrl);
        } catch (Exception | Error e) {
            app.stop();
            media.stop();
            deleteTree(root);
            throw e;
        }
    }

    /** A server whose port is bound already, so that both hosts' URLs are known before either starts. */
    private static Server server(int port) throws IOException {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        connector.open();
        return server;
    }

    private static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /**
     * Runs the example until Ctrl-C: {@code [--app-port N] [--media-port N]} (defaults 8080 and
     * 8081).
     */
    public static void main(String[] args) throws Exception {
        int appPort = 8080;
        int mediaPort = 8081;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length || !args[i].equals("--app-port") && !args[i].equals("--media-port")) {
                System.err.println("usage: CrossDomainExample [--app-port N] [--media-port N]");
                System.exit(2);
            }
            int value = Integer.parseInt(args[i + 1]);
            if (args[i].equals("--app-port")) {
                appPort = value;
            } else {
                mediaPort = value;
            }
        }
        Running running = start(appPort, mediaPort);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
            } catch (Exception e) {
                System.err.println("stopping: " + e);
            }
        }));
        System.out.println("Keyhole cross-domain media example");
        System.out.println("  application  " + running.appUrl() + "   sign in as alice / wonderland or bob / builder");
        System.out.println("  media host   " + running.mediaUrl());
        System.out.println("Open the application in a browser on this machine (*.localhost is this machine).");
        System.out.println("Press Ctrl-C to stop.");
        running.join();
    }

    /**
     * Stops a server. An interrupt while stopping is kept for the caller (the flag is set again),
     * so a try-with-resources block never swallows it.
     */
    static void stop(LifeCycle server) {
        try {
            server.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping " + server, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not stop " + server + ": " + e, e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root, e);
        }
    }
}
