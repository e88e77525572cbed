package io.keyhole.tomcat;

import io.keyhole.ConfigKey;
import io.keyhole.KeyholeConfig;
import io.keyhole.servlet.KeyholeFilter;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

/**
 * Keyhole as a Tomcat {@code Valve} on a {@link Context}: serves ids below the mount before any
 * filter or servlet sees the request, and passes every other request on. It routes on the path
 * Tomcat mapped the request by: decoded, normalised, without path parameters. It runs
 * {@link KeyholeFilter} on Tomcat's own request and response objects, which no filter has
 * wrapped, so files above 48 KiB always go out by sendfile.
 *
 * <p>In code: {@code context.getPipeline().addValve(new KeyholeValve(config))}. In
 * {@code context.xml}, each attribute is a configuration key:
 * <pre>{@code
 * <Valve className="io.keyhole.tomcat.KeyholeValve" fs-root="/srv/files" mount="/files/"
 *        unix-socket="/run/auth.sock" jwt-key="file:/etc/keyhole/jwt.key" jwt-field="uid"/>
 * }</pre>
 */
public final class KeyholeValve extends ValveBase {

    private final KeyholeConfig given;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private volatile KeyholeFilter filter;

    /** For {@code context.xml}: configured through {@link #setProperty}. */
    public KeyholeValve() {
        super(true);
        this.given = null;
    }

    /** For code that builds the configuration itself. */
    public KeyholeValve(KeyholeConfig config) {
        super(true);
        this.given = Objects.requireNonNull(config, "config");
    }

    /**
     * Takes one configuration key ({@link ConfigKey}); Tomcat calls it for each attribute of the
     * {@code <Valve>} element. Values are checked when the valve starts, and so is the name: an
     * unknown one stops the start with a message that lists the keys and suggests the nearest.
     *
     * @return whether {@code name} is a configuration key, so that Tomcat also warns about an
     *         unknown one as it reads {@code context.xml}
     */
    public boolean setProperty(String name, String value) {
        if (given != null) {
            throw new IllegalStateException("this valve was given a KeyholeConfig; cannot also set '" + name + "'");
        }
        properties.put(name, value);
        return ConfigKey.of(name).isPresent();
    }

    @Override
    protected void startInternal() throws LifecycleException {
        if (!(getContainer() instanceof Context context)) {
            throw new LifecycleException("KeyholeValve belongs on a Context (the application's pipeline or its"
                    + " context.xml), not on " + getContainer());
        }
        KeyholeFilter f;
        try {
            f = given != null ? new KeyholeFilter(given) : new KeyholeFilter(KeyholeConfig.fromProperties(properties));
            f.init(new ValveFilterConfig(context.getServletContext()));
        } catch (IllegalArgumentException | IllegalStateException | ServletException e) {
            throw new LifecycleException("Keyhole valve on " + context.getName() + " is misconfigured: " + e.getMessage(), e);
        }
        filter = f;
        super.startInternal();
    }

    @Override
    protected void stopInternal() throws LifecycleException {
        super.stopInternal();
        KeyholeFilter f = filter;
        if (f != null) {
            f.destroy();
        }
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        filter.doFilter(request.getRequest(), response.getResponse(), pathInContext(request),
                (req, res) -> getNext().invoke(request, response));
    }

    /**
     * Tomcat's decoded and normalised request URI (path parameters removed) without the
     * context's path: what its mapper chose this context by. The servlet path is no substitute
     * here: the valve also sees requests that no servlet maps, for which Tomcat leaves it empty.
     */
    static String pathInContext(Request request) {
        String uri = request.getDecodedRequestURI();
        String context = request.getContext().getPath();
        return uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    private record ValveFilterConfig(ServletContext servletContext) implements FilterConfig {

        @Override
        public String getFilterName() {
            return "keyhole valve";
        }

        @Override
        public ServletContext getServletContext() {
            return servletContext;
        }

        @Override
        public String getInitParameter(String name) {
            return null;
        }

        @Override
        public Enumeration<String> getInitParameterNames() {
            return Collections.emptyEnumeration();
        }
    }
}
