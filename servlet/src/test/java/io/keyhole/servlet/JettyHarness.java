package io.keyhole.servlet;

import io.keyhole.KeyholeConfig;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.component.LifeCycle;

/** KeyholeFilter on a real embedded Jetty 12, on a free loopback port. */
final class JettyHarness implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;

    private JettyHarness(FilterHolder filter) throws Exception {
        server = new Server();
        HttpConnectionFactory http = new HttpConnectionFactory();
        // Let odd but well-formed paths reach the filter, which must refuse them itself.
        http.getHttpConfiguration().setUriCompliance(UriCompliance.UNSAFE);
        connector = new ServerConnector(server, http);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        server.start();
    }

    /** The filter built from code. */
    static JettyHarness start(KeyholeConfig config) throws Exception {
        return new JettyHarness(new FilterHolder(new KeyholeFilter(config)));
    }

    /** The filter built by the container from init-params, as web.xml would. */
    static JettyHarness start(Map<String, String> initParams) throws Exception {
        FilterHolder holder = new FilterHolder(KeyholeFilter.class);
        holder.setInitParameters(initParams);
        return new JettyHarness(holder);
    }

    /** A filter instance of the test's own, configured by the container from init-params. */
    static JettyHarness start(KeyholeFilter filter, Map<String, String> initParams) throws Exception {
        FilterHolder holder = new FilterHolder(filter);
        holder.setInitParameters(initParams);
        return new JettyHarness(holder);
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        stop(server);
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
}
