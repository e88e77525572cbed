package io.keyhole.servlet;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.contract.AdapterContract;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The adapter contract for the plain filter with {@code renderer=stream}, the rendering every
 * container can do: on Jetty 12 (ee10), the filter on {@code /files/*}.
 */
public class StreamContractTest extends AdapterContract {

    @Override
    protected KeyholeConfig.Builder configure(KeyholeConfig.Builder config) {
        return config.renderer("stream");
    }

    @Override
    protected Container start(KeyholeConfig config, Consumer<String> application) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/app");
        context.addFilter(new FilterHolder(new KeyholeFilter(config)), "/files/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder(application(application)), "/files/*");
        server.setHandler(context);
        server.start();
        return new Container(connector.getLocalPort(), server::stop);
    }

    /** As for every Jetty: its default URI compliance refuses ambiguous paths with 400. */
    @Override
    protected Set<Route> refusedByContainer() {
        return EnumSet.of(Route.ENCODED_DOT_DOT_SEGMENT, Route.ENCODED_DOT_DOT_IN_MOUNT,
                Route.EMPTY_SEGMENT_BEFORE_MOUNT, Route.EMPTY_SEGMENT_IN_MOUNT, Route.DOUBLE_ENCODED_LETTER_IN_ID);
    }
}
