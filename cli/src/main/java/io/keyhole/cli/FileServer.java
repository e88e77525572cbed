package io.keyhole.cli;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.KeyholeFilter;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Embedded Jetty with {@link KeyholeFilter} on {@code /*}: the standalone equivalent of an nginx
 * location with the module. Everything outside the mount is answered 404 by Jetty's fallback
 * servlet.
 */
final class FileServer {

    /** How long a stop waits for requests in flight before cutting them off. */
    private static final long STOP_TIMEOUT_MS = 10_000;

    /**
     * Jetty's default answers ambiguous paths ({@code %2F}, {@code %2e} segments, empty segments,
     * {@code %25}, bad UTF-8, {@code %u} escapes) with its own 400 before any filter runs. The
     * filter's id grammar is stricter than all of them, so they are let through: the filter (on
     * {@code /*}, so no mapping can differ from its own) reads each decoded once and normalised, as
     * Jetty maps it, and what is not a valid id gets its 404. Jetty 12.1 still refuses an encoded NUL,
     * a malformed percent-encoding and dot segments that climb above the root, in every mode;
     * those end as 400 without reaching the filter. Raw control characters, user info and
     * fragments stay forbidden: no client sends them for a file.
     */
    static final UriCompliance URI_COMPLIANCE = UriCompliance.from(EnumSet.of(
            UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_PATH_PARAMETER,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
            UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS,
            UriCompliance.Violation.UTF16_ENCODINGS,
            UriCompliance.Violation.BAD_UTF8_ENCODING,
            UriCompliance.Violation.TRUNCATED_UTF8_ENCODING,
            UriCompliance.Violation.BAD_PERCENT_ENCODING));

    private final Server server;
    private final URI uri;

    private FileServer(Server server, URI uri) {
        this.server = server;
        this.uri = uri;
    }

    /**
     * Binds {@code listen} and starts serving {@code config}.
     *
     * @throws Exception from Jetty, e.g. an {@link java.io.IOException} when the port is taken;
     *                   nothing is left running then
     */
    static FileServer start(KeyholeConfig config, Listen listen) throws Exception {
        return start(config, listen, ServeLimits.DEFAULT);
    }

    /** As {@link #start(KeyholeConfig, Listen)}, with what a slow client may cost. */
    static FileServer start(KeyholeConfig config, Listen listen, ServeLimits limits) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("keyhole-http");
        Server server = new Server(threads);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setUriCompliance(URI_COMPLIANCE);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(listen.host());
        connector.setPort(listen.port());
        limits.apply(http, connector);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/");
        // Let the filter see the ambiguous paths the connector admits instead of failing in the servlet API.
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        context.addFilter(new FilterHolder(new KeyholeFilter(config)), "/*", EnumSet.of(DispatcherType.REQUEST));

        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowMessageInTitle(false);
        server.setErrorHandler(errors);

        server.setHandler(new GracefulHandler(limits.limit(context)));
        server.setStopTimeout(STOP_TIMEOUT_MS);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        URI uri = URI.create("http://" + listen.urlHost() + ":" + connector.getLocalPort() + config.mount());
        return new FileServer(server, uri);
    }

    /** The mount's URL on the bound address, e.g. {@code http://127.0.0.1:8080/files/}. */
    URI uri() {
        return uri;
    }

    /** The port actually bound. */
    int port() {
        return uri.getPort();
    }

    /** Waits until the server has stopped. */
    void join() throws InterruptedException {
        server.join();
    }

    /** Stops accepting, lets requests in flight finish (bounded), then closes everything. */
    void stop() throws Exception {
        server.stop();
    }
}
