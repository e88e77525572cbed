package io.keyhole.jetty;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.contract.AdapterContract;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The adapter contract for {@link KeyholeJetty#mount}: the filter on {@code /files/*}, bytes through Jetty's core response. */
class JettyFilterContractTest extends AdapterContract {

    /**
     * Jetty's default URI compliance answers ambiguous paths (encoded dot segments, empty
     * segments, an encoded percent sign) with 400 before any filter or handler runs, as
     * Servlet 6.0 §3.5.2 allows for suspicious paths.
     */
    static final Set<Route> REFUSED_BY_JETTY = EnumSet.of(Route.ENCODED_DOT_DOT_SEGMENT, Route.ENCODED_DOT_DOT_IN_MOUNT,
            Route.EMPTY_SEGMENT_BEFORE_MOUNT, Route.EMPTY_SEGMENT_IN_MOUNT, Route.DOUBLE_ENCODED_LETTER_IN_ID);

    @Override
    protected Container start(KeyholeConfig config, Consumer<String> application) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/app");
        KeyholeJetty.mount(context, config);
        context.addServlet(new ServletHolder(application(application)), "/files/*");
        server.setHandler(context);
        server.start();
        return new Container(connector.getLocalPort(), server::stop);
    }

    @Override
    protected Set<Route> refusedByContainer() {
        return REFUSED_BY_JETTY;
    }
}
