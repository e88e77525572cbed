package io.keyhole.servlet;

import io.keyhole.Answer;
import io.keyhole.ConfigKey;
import io.keyhole.Delivery;
import io.keyhole.DeliveryMode;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.internal.LiveEngine;
import io.keyhole.internal.Logs;
import io.keyhole.media.MediaSettings;
import io.keyhole.observe.Health;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Serves authorised files below a mount. Configure it with init-params in {@code web.xml}, one
 * per {@link ConfigKey} (an unknown name stops the start, naming the nearest key), or hand it a
 * {@link KeyholeConfig} built in code. Requests outside the mount go down the chain untouched; a
 * request inside it is always answered here, never passed on. Inside and outside are judged on
 * the path the container mapped the request by (servlet path and path info: decoded, normalised,
 * without path parameters), so however a client spells {@code /files/…} it cannot slip past to a
 * servlet behind the filter.
 *
 * <p>The filter only translates: it shows the request to {@link Keyhole#decide} and renders the
 * {@link Delivery} it gets back. Configured with {@code media-url} and friends it is a cross-domain
 * media host (see {@link MediaSettings}): signed URLs instead of JWTs, and redirects to the
 * application for fresh tokens.
 */
public final class KeyholeFilter implements Filter {

    private static final System.Logger LOG = Logs.of(KeyholeFilter.class);

    private final KeyholeConfig given;
    /** An engine started and closed by someone else, e.g. a Spring context; {@code null} when the filter starts its own. */
    private final Keyhole external;
    /** The engine and its writer, swapped together by {@link #reload}; {@code null} before the start. */
    private volatile LiveEngine<DeliveryWriter> engine;

    /** For containers that instantiate the filter and call {@link #init} with init-params. */
    public KeyholeFilter() {
        this.given = null;
        this.external = null;
    }

    /** For code that builds the configuration itself (Spring, embedded containers). */
    public KeyholeFilter(KeyholeConfig config) {
        this.given = Objects.requireNonNull(config, "config");
        this.external = null;
    }

    /**
     * For code that starts the engine itself and closes it when it is done (a Spring context, which
     * also reads its health): the filter serves through it and never closes it.
     */
    public KeyholeFilter(Keyhole keyhole) {
        this.external = Objects.requireNonNull(keyhole, "keyhole");
        this.given = keyhole.config();
    }

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        Map<String, String> params = new LinkedHashMap<>();
        for (String name : Collections.list(filterConfig.getInitParameterNames())) {
            params.put(name, filterConfig.getInitParameter(name));
        }
        KeyholeConfig config;
        if (given != null) {
            if (!params.isEmpty()) {
                throw new ServletException("Keyhole filter '" + filterConfig.getFilterName()
                        + "' was given a KeyholeConfig and init-params " + params.keySet() + "; use one or the other");
            }
            config = given;
        } else {
            try {
                config = KeyholeConfig.fromProperties(params);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new ServletException("Keyhole filter '" + filterConfig.getFilterName()
                        + "' is misconfigured: " + e.getMessage(), e);
            }
        }
        try {
            start(config, filterConfig.getServletContext());
        } catch (IllegalStateException e) {
            throw new ServletException("Keyhole filter '" + filterConfig.getFilterName() + "': " + e.getMessage(), e);
        }
    }

    /** Starts serving; a reload chooses the renderer again in the same {@code context}. */
    private void start(KeyholeConfig config, ServletContext context) {
        Function<KeyholeConfig, DeliveryWriter> writer = c -> new DeliveryWriter(c, context);
        LiveEngine<DeliveryWriter> started = external != null ? LiveEngine.serving(external, writer)
                : LiveEngine.start(config, writer);
        this.engine = started;
        announce(started.current());
    }

    private static void announce(LiveEngine.Current<DeliveryWriter> current) {
        KeyholeConfig config = current.keyhole().config();
        String delivery = config.delivery() == DeliveryMode.REDIRECT ? "redirect" : current.rendering().rendererName();
        LOG.log(Level.INFO, LiveEngine.startLine(current.keyhole(), config.media() == null
                ? delivery + " (renderer=" + config.renderer() + ")" : delivery));
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse res)) {
            chain.doFilter(request, response);
            return;
        }
        serve(new ServletRequestView(req), req, res, chain);
    }

    /**
     * {@link #doFilter} for an adapter that runs before the container has chosen a servlet (a
     * Tomcat valve) and reads the request's path below the context from the container itself:
     * percent-decoded once and normalised, exactly as the container maps it.
     */
    public void doFilter(HttpServletRequest request, HttpServletResponse response, String pathInContext,
                         FilterChain chain) throws IOException, ServletException {
        serve(new ServletRequestView(request, Objects.requireNonNull(pathInContext, "pathInContext")), request,
                response, chain);
    }

    private void serve(ServletRequestView view, HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        LiveEngine<DeliveryWriter> e = engine;
        if (e == null) {
            if (given == null) {
                throw new ServletException("Keyhole filter used before init()");
            }
            synchronized (this) {
                if (engine == null) {
                    start(given, req.getServletContext());
                }
            }
            e = engine;
        }
        LiveEngine.Current<DeliveryWriter> current = e.current();
        Answer answer = current.keyhole().answer(view);
        if (answer.delivery() instanceof Delivery.Pass) {
            chain.doFilter(req, res);
        } else {
            current.rendering().write(answer, req, res);
        }
    }

    /**
     * Closes the engine, and with it what it started from the configuration (the connection pool
     * of a SQL backend, the threads of an HTTP one), so an undeployed application leaves nothing
     * behind. An {@link io.keyhole.Authorizer} given in code stays open: it is its owner's, and so
     * does an engine given in code.
     */
    @Override
    public void destroy() {
        LiveEngine<DeliveryWriter> e = engine;
        if (e != null) {
            e.close();
        }
    }

    /**
     * Whether the engine can serve now ({@link Keyhole#health()}): backend reachable, storage
     * readable. Down before the filter started and after it was destroyed.
     */
    public Health health() {
        LiveEngine<DeliveryWriter> e = engine;
        return e == null ? new Health(false, Map.of("keyhole", "not started")) : e.health();
    }

    /**
     * Serves with {@code config} from now on (a changed key, a rotated JWT key, another backend):
     * a new engine is started and takes every request that arrives after this returns. The old
     * one finishes what it has begun and is closed once {@code grace} has passed, so that no
     * request in flight loses its backend. For a filter that has been started.
     *
     * @throws IllegalStateException when the filter has not started, or {@code config} cannot be served here
     */
    public void reload(KeyholeConfig config, Duration grace) {
        Objects.requireNonNull(config, "config");
        LiveEngine<DeliveryWriter> e = engine;
        if (e == null) {
            throw new IllegalStateException("Keyhole filter not started yet");
        }
        announce(e.reload(config, grace));
    }
}
