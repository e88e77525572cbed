package io.keyhole.benchmarks.load;

import io.keyhole.KeyholeConfig;
import io.keyhole.tomcat.KeyholeTomcat;
import java.nio.file.Path;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;

/** The Tomcat servers of the harness, with Tomcat's defaults (NIO connector, sendfile on, resource cache on). */
final class TomcatServers {

    private TomcatServers() {
    }

    private static Tomcat tomcat(int port, Path base) {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        return tomcat;
    }

    private static Context withDefaultServlet(Tomcat tomcat, Path docBase) {
        Context context = tomcat.addContext("", docBase.toString());
        Wrapper servlet = Tomcat.addServlet(context, "default", new DefaultServlet());
        servlet.addInitParameter("listings", "false");
        context.addServletMapping("/", "default");
        return context;
    }

    /** Keyhole's filter in front of the application's DefaultServlet, as in any web application. */
    static AutoCloseable keyhole(int port, KeyholeConfig config) throws Exception {
        Path base = java.nio.file.Files.createTempDirectory("keyhole-tomcat");
        Tomcat tomcat = tomcat(port, base);
        Context context = withDefaultServlet(tomcat, base);
        KeyholeTomcat.mount(context, config);
        tomcat.start();
        return tomcat::stop;
    }

    static AutoCloseable defaultServlet(int port, Path root) throws Exception {
        Path base = java.nio.file.Files.createTempDirectory("keyhole-tomcat");
        Tomcat tomcat = tomcat(port, base);
        withDefaultServlet(tomcat, root);
        tomcat.start();
        return tomcat::stop;
    }
}
