package io.keyhole.benchmarks.load;

import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.KeyholeFilter;
import io.keyhole.testing.WebApplication;
import io.keyhole.tomcat.KeyholeTomcat;
import io.keyhole.tomcat.KeyholeValve;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

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
        defaultServlet(context);
        return context;
    }

    private static void defaultServlet(Context context) {
        Wrapper servlet = Tomcat.addServlet(context, "default", new DefaultServlet());
        servlet.addInitParameter("listings", "false");
        context.addServletMapping("/", "default");
    }

    /**
     * Keyhole's filter in front of the application's DefaultServlet, as in any web application;
     * with {@code wrapped}, behind a {@link Wrapping} filter.
     */
    static AutoCloseable keyhole(int port, KeyholeConfig config, boolean wrapped) throws Exception {
        return application(port, context -> {
            if (wrapped) {
                FilterDef def = new FilterDef();
                def.setFilterName("wrapping");
                def.setFilter(new Wrapping());
                def.setFilterClass(Wrapping.class.getName());
                context.addFilterDef(def);
                FilterMap map = new FilterMap();
                map.setFilterName("wrapping");
                map.addURLPattern("/*");
                context.addFilterMap(map); // mapped first, so it runs before Keyhole's
            }
            KeyholeTomcat.mount(context, config);
        });
    }

    /**
     * Keyhole as a web application bundles it: {@code KeyholeFilter} declared in a {@code web.xml}
     * with {@code settings} as init-params, and Keyhole, {@code keyhole-tomcat} and their libraries
     * in the application's {@code WEB-INF/lib}, loaded by its own class loader; deployed on
     * {@code /} as Tomcat deploys an unpacked WAR, with the DefaultServlet Tomcat adds to every
     * application.
     */
    static AutoCloseable war(int port, Map<String, String> settings) throws Exception {
        Path base = Files.createTempDirectory("keyhole-tomcat");
        Path webapp = WebApplication.write(base.resolve("webapp"), settings, List.of(Keyhole.class,
                KeyholeFilter.class, KeyholeTomcat.class, com.fasterxml.jackson.core.JsonFactory.class,
                com.fasterxml.jackson.databind.ObjectMapper.class, com.fasterxml.jackson.annotation.JsonProperty.class,
                com.nimbusds.jwt.JWTParser.class, net.openhft.hashing.LongHashFunction.class));
        Tomcat tomcat = tomcat(port, base);
        // Of Tomcat's defaults for every application only the DefaultServlet: there is no JSP engine here.
        tomcat.setAddDefaultWebXmlToWebapp(false);
        Context context = tomcat.addWebapp(tomcat.getHost(), "", webapp.toString(), new ContextConfig());
        defaultServlet(context);
        tomcat.start();
        if (!context.getState().isAvailable()) {
            tomcat.stop();
            throw new IllegalStateException("the web application did not start; see Tomcat's log above");
        }
        return tomcat::stop;
    }

    /** Keyhole as a {@link KeyholeValve} on the application's pipeline, ahead of its filters and servlets. */
    static AutoCloseable valve(int port, KeyholeConfig config) throws Exception {
        return application(port, context -> context.getPipeline().addValve(new KeyholeValve(config)));
    }

    /** A started Tomcat with one application (a DefaultServlet on {@code /}), which {@code install} completes first. */
    private static AutoCloseable application(int port, Consumer<Context> install) throws Exception {
        Path base = java.nio.file.Files.createTempDirectory("keyhole-tomcat");
        Tomcat tomcat = tomcat(port, base);
        install.accept(withDefaultServlet(tomcat, base));
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

    /**
     * Passes every request on wrapped in the servlet API's standard wrappers, as a security filter
     * chain does (Spring Security wraps both); Keyhole then sees the wrappers, not Tomcat's own
     * request and response.
     */
    public static final class Wrapping implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            chain.doFilter(new HttpServletRequestWrapper((HttpServletRequest) req),
                    new HttpServletResponseWrapper((HttpServletResponse) res));
        }
    }
}
