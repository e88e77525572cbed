package io.keyhole.servlet;

import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An embedded Jetty 12 on a free loopback port, its servlet context (with sessions) set up by
 * the test. The port is bound first, so that two servers can be configured with each other's
 * URLs before either starts.
 */
final class TestServer implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;

    private TestServer() throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        connector.open();
    }

    /** Binds a free port; nothing is served until {@link #serve}. */
    static TestServer bind() throws Exception {
        return new TestServer();
    }

    /** Binds and serves at once. */
    static TestServer start(Consumer<ServletContextHandler> setup) throws Exception {
        TestServer s = new TestServer();
        try {
            return s.serve(setup);
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    TestServer serve(Consumer<ServletContextHandler> setup) throws Exception {
        ServletContextHandler context = new ServletContextHandler("/");
        context.setSessionHandler(new SessionHandler());
        setup.accept(context);
        server.setHandler(context);
        server.start();
        return this;
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            JettyHarness.stop(server);
        } finally {
            connector.close();
        }
    }
}
