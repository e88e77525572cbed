package io.keyhole.internal.s3;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.KeyholeFilter;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Keyhole's filter on an embedded Jetty at {@code http://127.0.0.1:<port>/}, mount {@code /}. */
record JettyWithKeyhole(Server server, int port) implements AutoCloseable {

    static JettyWithKeyhole start(KeyholeConfig config) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.addFilter(new FilterHolder(new KeyholeFilter(config)), "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
        return new JettyWithKeyhole(server, connector.getLocalPort());
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Override
    public void close() throws java.io.IOException {
        try {
            server.stop();
        } catch (Exception e) {
            throw new java.io.IOException("stopping Jetty failed", e);
        }
    }
}
