package io.keyhole.benchmarks.load;

import io.keyhole.KeyholeConfig;
import io.keyhole.jetty.KeyholeJetty;
import io.keyhole.testing.WebXml;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.ResourceFactory;

/** The Jetty 12 servers of the harness, all with Jetty's defaults (thread pool, buffers, connector). */
final class JettyServers {

    private JettyServers() {
    }

    private static Server server(int port, Handler context) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(context);
        server.start();
        return server;
    }

    static AutoCloseable keyhole(int port, KeyholeConfig config) throws Exception {
        ServletContextHandler context = new ServletContextHandler("/");
        KeyholeJetty.mount(context, config);
        Server server = server(port, context);
        return server::stop;
    }

    /**
     * Keyhole as a web application deploys it: its filter declared in a {@code web.xml} with
     * {@code settings} as init-params, the directory deployed as a {@link WebAppContext} on
     * {@code /}, the way Jetty deploys an unpacked WAR. Keyhole's classes come from the server's
     * class path, as they would from {@code WEB-INF/lib}.
     */
    static AutoCloseable webApp(int port, Map<String, String> settings) throws Exception {
        Path webapp = Files.createTempDirectory("keyhole-webapp");
        Files.createDirectory(webapp.resolve("WEB-INF"));
        Files.writeString(webapp.resolve("WEB-INF/web.xml"), WebXml.keyholeFilter(settings), StandardCharsets.UTF_8);
        WebAppContext context = new WebAppContext();
        context.setContextPath("/");
        context.setBaseResourceAsPath(webapp);
        context.setParentLoaderPriority(true);
        Server server = server(port, context);
        if (!context.isAvailable()) {
            server.stop();
            throw new IllegalStateException("the web application did not start", context.getUnavailableException());
        }
        return server::stop;
    }

    /** Jetty's DefaultServlet with its defaults (no cache, no mapped buffers), mapped to {@code /} as it must be. */
    static AutoCloseable defaultServlet(int port, Path root) throws Exception {
        ServletContextHandler context = new ServletContextHandler("/");
        context.setBaseResource(ResourceFactory.of(context).newResource(root));
        context.addServlet(new ServletHolder("default", DefaultServlet.class), "/");
        Server server = server(port, context);
        return server::stop;
    }

    /** The X-Accel baseline: names the file for nginx and checks nothing. */
    static AutoCloseable trivialAccel(int port) throws Exception {
        ServletContextHandler context = new ServletContextHandler("/");
        context.addServlet(new ServletHolder("trivial", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                String id = req.getPathInfo().substring(1);
                resp.setHeader("X-Accel-Redirect", "/protected/" + LoadServer.relativePath(id));
                resp.setContentType("application/octet-stream");
                resp.setContentLength(0);
            }
        }), "/files/*");
        Server server = server(port, context);
        return server::stop;
    }
}
