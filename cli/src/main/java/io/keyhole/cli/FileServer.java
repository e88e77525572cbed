package io.keyhole.cli;

import io.keyhole.KeyholeConfig;
import io.keyhole.jetty.KeyholeHandler;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Embedded Jetty with {@link KeyholeHandler} as its only handler, no servlet layer: the standalone
 * equivalent of an nginx location with the module. Everything outside the mount is answered 404
 * by Jetty itself.
 */
final class FileServer {

    /**
     * Jetty's default answers ambiguous paths ({@code %2F}, {@code %2e} segments, empty segments,
     * {@code %25}, bad UTF-8, {@code %u} escapes) with its own 400 before any handler runs. The
     * engine's id grammar is stricter than all of them, so they are let through: the handler reads
     * each decoded once and normalised, as Jetty routes it, and what is not a valid id gets its
     * 404. Jetty 12.1 still refuses an encoded NUL, a malformed percent-encoding and dot segments
     * that climb above the root, in every mode; those end as 400 without reaching the handler. Raw control characters, user info and
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
    private final ServerConnector connector;
    private final GracefulHandler graceful;
    private final URI uri;
    private final KeyholeHandler handler;

    private FileServer(Server server, ServerConnector connector, GracefulHandler graceful, URI uri,
                       KeyholeHandler handler) {
        this.server = server;
        this.connector = connector;
        this.graceful = graceful;
        this.uri = uri;
        this.handler = handler;
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
        return start(config, listen, limits, ServeSettings.DEFAULT_SHUTDOWN_TIMEOUT);
    }

    /** As {@link #start(KeyholeConfig, Listen, ServeLimits)}, with how long a stop waits for requests in flight. */
    static FileServer start(KeyholeConfig config, Listen listen, ServeLimits limits, Duration stopTimeout)
            throws Exception {
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
        // Jetty's graceful stop would lower every open connection's idle timeout to this (one
        // second unless set), cutting a download whose client pauses that long: keep the usual one
        connector.setShutdownIdleTimeout(connector.getIdleTimeout());
        server.addConnector(connector);

        KeyholeHandler keyhole = new KeyholeHandler(config);

        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowMessageInTitle(false);
        server.setErrorHandler(errors);

        GracefulHandler graceful = new GracefulHandler(limits.limit(keyhole));
        server.setHandler(graceful);
        server.setStopTimeout(stopTimeout.toMillis());
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        URI uri = URI.create("http://" + listen.urlHost() + ":" + connector.getLocalPort() + config.mount());
        return new FileServer(server, connector, graceful, uri, keyhole);
    }

    /** The mount's URL on the bound address, e.g. {@code http://127.0.0.1:8080/files/}. */
    URI uri() {
        return uri;
    }

    /** The handler that serves every request: its engine's health, and reloads. */
    KeyholeHandler handler() {
        return handler;
    }

    /** The embedded server itself, to look at its threads and connections. */
    Server jetty() {
        return server;
    }

    /** The port actually bound. */
    int port() {
        return uri.getPort();
    }

    /** Waits until the server has stopped. */
    void join() throws InterruptedException {
        server.join();
    }

    /**
     * Stops accepting, lets requests in flight finish (within the stop timeout), then closes
     * everything. A response being written goes on at its client's pace under the usual idle
     * timeout and download rate (see {@link #start}). Connections without a request in flight
     * are closed at the end, without waiting for them.
     */
    void stop() throws Exception {
        long budget = server.getStopTimeout();
        if (server.isStarted()) {
            // the port refuses from here on; what is open keeps its idle timeout
            connector.shutdown();
            // a new request on an open connection is answered 503 from here on
            CompletableFuture<Void> inFlight = graceful.shutdown();
            try {
                inFlight.get(budget, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // the stop below cuts what is still running
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // nothing is left to wait for: close the connections at once
            server.setStopTimeout(0);
        }
        try {
            server.stop();
        } finally {
            server.setStopTimeout(budget);
        }
    }
}
