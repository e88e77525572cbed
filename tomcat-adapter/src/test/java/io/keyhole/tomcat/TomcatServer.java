package io.keyhole.tomcat;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ValveBase;
import org.apache.tomcat.util.buf.MessageBytes;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/**
 * An embedded Tomcat on a free loopback port with one context, {@code /app}. A probe valve at the
 * head of the context's pipeline records, for each request once the application is done, what
 * Tomcat itself knows of how the body leaves: the sendfile file name handed to the connector and
 * the bytes the application wrote through the output buffer.
 */
final class TomcatServer implements AutoCloseable {

    /**
     * Keyhole as a Tomcat user bundles it in a WAR, by one class of each library:
     * {@code keyhole-core}, {@code keyhole-servlet}, {@code keyhole-tomcat} and what they need.
     */
    static final List<Class<?>> WAR_LIBRARIES = List.of(io.keyhole.Keyhole.class, io.keyhole.servlet.KeyholeFilter.class,
            KeyholeTomcat.class, com.fasterxml.jackson.core.JsonFactory.class, com.fasterxml.jackson.databind.ObjectMapper.class,
            com.fasterxml.jackson.annotation.JsonProperty.class, com.nimbusds.jwt.JWTParser.class,
            net.openhft.hashing.LongHashFunction.class);

    /** What the probe saw of one request. */
    record Seen(String sendfile, Long start, Long end, long written) {
    }

    private final Tomcat tomcat = new Tomcat();
    private final Connector connector = new Connector();
    private final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    /** Of the last request: each response header Tomcat held, and whether as bytes (or as a string to encode). */
    private volatile java.util.Map<String, Boolean> heldAsBytes = java.util.Map.of();
    final Context context;

    /** An empty context, which the test completes in {@link #start}. */
    TomcatServer(Path base) {
        this(base, null);
    }

    /**
     * @param webApplication an unpacked web application ({@link io.keyhole.testing.WebApplication})
     *                       deployed as Tomcat deploys a WAR, its {@code web.xml} read; {@code null}
     *                       for an empty context
     */
    private TomcatServer(Path base, Path webApplication) {
        tomcat.setBaseDir(base.toString());
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        if (webApplication != null) {
            // The web.xml, and of the defaults Tomcat adds to every application only its DefaultServlet
            // (there is no JSP engine here).
            tomcat.setAddDefaultWebXmlToWebapp(false);
            context = tomcat.addWebapp(tomcat.getHost(), "/app", webApplication.toString(), new ContextConfig());
            Tomcat.addServlet(context, "default", new DefaultServlet());
            context.addServletMapping("/", "default");
        } else {
            context = tomcat.addContext("/app", base.toString());
            // Tomcat runs filters only for requests mapped to some servlet, as every real application has.
            Tomcat.addServlet(context, "fallback", new HttpServlet() {
                @Override
                protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                    resp.setStatus(404);
                    resp.getWriter().print("application");
                }
            });
            context.addServletMapping("/", "fallback");
        }
        context.getPipeline().addValve(new ValveBase(true) {
            @Override
            public void invoke(Request request, Response response) throws IOException, jakarta.servlet.ServletException {
                getNext().invoke(request, response);
                org.apache.tomcat.util.http.MimeHeaders headers = response.getCoyoteResponse().getMimeHeaders();
                java.util.Map<String, Boolean> held = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (int i = 0; i < headers.size(); i++) {
                    held.put(headers.getName(i).toString(), headers.getValue(i).getType() == MessageBytes.T_BYTES);
                }
                heldAsBytes = held;
                org.apache.coyote.Request coyote = request.getCoyoteRequest();
                seen.add(new Seen((String) coyote.getAttribute("org.apache.tomcat.sendfile.filename"),
                        (Long) coyote.getAttribute("org.apache.tomcat.sendfile.start"),
                        (Long) coyote.getAttribute("org.apache.tomcat.sendfile.end"),
                        response.getContentWritten()));
            }
        });
    }

    /** The unpacked web application {@code webApplication} deployed on {@code /app} and started. */
    static TomcatServer webApplication(Path base, Path webApplication) throws LifecycleException {
        return new TomcatServer(base, webApplication).start(context -> { });
    }

    /** Adds a filter in front of everything else, e.g. one that wraps the response. */
    void filterFirst(Filter filter) {
        FilterDef def = new FilterDef();
        def.setFilterName("first");
        def.setFilter(filter);
        def.setFilterClass(filter.getClass().getName());
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("first");
        map.addURLPattern("/*");
        context.addFilterMap(map);
    }

    TomcatServer start(Consumer<Context> setup) throws LifecycleException {
        setup.accept(context);
        tomcat.start();
        return this;
    }

    String base() {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/app/";
    }

    /** What the probe recorded for the next request; the probe may finish after the client. */
    Seen seen() throws InterruptedException {
        Seen s = seen.poll(30, TimeUnit.SECONDS);
        assertNotNull(s, "the request did not finish");
        return s;
    }

    /**
     * The response headers of the last request that {@link #seen()} returned, each with whether
     * Tomcat held its value as bytes (rather than as a string it encodes as it writes).
     */
    java.util.Map<String, Boolean> heldAsBytes() {
        return heldAsBytes;
    }

    void forget() {
        seen.clear();
    }

    @Override
    public void close() throws LifecycleException {
        tomcat.stop();
        tomcat.destroy();
    }
}
