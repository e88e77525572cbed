package io.keyhole.jetty;

import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.contract.AdapterContract;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;

/**
 * The adapter contract for {@link KeyholeHandler} in a servlet-less Jetty: Keyhole first in the
 * context's handler sequence, then the application, which takes what Jetty routes to
 * {@code /files} and below, as a servlet mapped to {@code /files/*} would.
 */
class JettyHandlerContractTest extends AdapterContract {

    @Override
    protected Container start(KeyholeConfig config, Consumer<String> application) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        Handler files = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String path = URIUtil.decodePath(Request.getPathInContext(request));
                if (!path.equals("/files") && !path.startsWith("/files/")) {
                    return false;
                }
                application.accept(request.getHttpURI().getPath());
                response.write(true, ByteBuffer.wrap("application".getBytes(StandardCharsets.US_ASCII)), callback);
                return true;
            }
        };
        server.setHandler(new ContextHandler(new Handler.Sequence(new KeyholeHandler(config), files), "/app"));
        server.start();
        return new Container(connector.getLocalPort(), server::stop);
    }

    @Override
    protected Set<Route> refusedByContainer() {
        return JettyFilterContractTest.REFUSED_BY_JETTY;
    }
}
