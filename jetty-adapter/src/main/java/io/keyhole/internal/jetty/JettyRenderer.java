package io.keyhole.internal.jetty;

import io.keyhole.Delivery;
import io.keyhole.servlet.spi.Renderer;
import io.keyhole.servlet.spi.StreamRenderer;
import io.keyhole.servlet.spi.Wrappers;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.util.Blocker;

/**
 * Renders through Jetty's core response instead of the servlet output stream, as Jetty's own
 * {@code ResourceServlet} does, so that file regions go out from pooled direct buffers or, from
 * 1 MiB, as mapped buffers (see {@link FileBody}). The same for Jetty's ee10 and ee11 servlet
 * layers, which only differ in how the core exchange is found ({@link ServletLayer}).
 *
 * <p>Keeps the servlet stream for a single region of at most {@link #STREAM_LIMIT} bytes, which
 * the servlet stream sends with the headers in one write for less than the detour through the
 * core response costs (measured: BENCHMARKS.md); for a response already written to; and for a
 * response wrapped by another filter in a wrapper that wants to see the body
 * ({@link Wrappers#bodyWatcher}: a compressing or caching one). Standard wrappers that leave the
 * body alone, such as every one Spring Security puts around a response, do not stop it: the
 * response is committed through them first ({@link ServletResponse#flushBuffer()}), so that a
 * wrapper that adds headers at the commit (Spring Security's {@code HeaderWriterFilter}) has
 * added them before the body leaves below it. The first large body streamed for one of these
 * reasons says so in the log, once.
 */
final class JettyRenderer implements Renderer {

    static final int STREAM_LIMIT = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(JettyRenderer.class.getName());

    private final ServletLayer layer;
    private final AtomicBoolean warned = new AtomicBoolean();

    JettyRenderer(ServletLayer layer) {
        this.layer = layer;
    }

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException {
        long single = send.multipart() != null ? Long.MAX_VALUE
                : send.ranges().isEmpty() ? send.file().size() : send.ranges().get(0).length();
        if (single <= STREAM_LIMIT) {
            StreamRenderer.stream(this, send, request, response);
            return;
        }
        ServletLayer.Exchange exchange = layer.find(request);
        String obstacle = obstacle(exchange, request, response);
        if (obstacle != null) {
            if (warned.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Jetty''s zero-copy path cannot be used here, so files above 64 KiB are"
                        + " streamed through the servlet output stream: {0}. Said once.", obstacle);
            }
            StreamRenderer.stream(this, send, request, response);
            return;
        }
        statusAndHeaders(send, exchange, response);
        if (send.bodiless()) {
            return;
        }
        if (response != exchange.servletResponse()) {
            // Wrappers that watch for the commit see it here, before the body goes out below them.
            response.flushBuffer();
        }
        try (Blocker.Callback done = Blocker.callback()) {
            FileBody.write(send, exchange.response(), exchange.pool(), done);
            done.block();
        }
    }

    /**
     * Into Jetty's own fields ({@link JettyHeaders}) when {@code response} is Jetty's servlet
     * response itself; through the servlet API when it is a wrapper, which must see every header
     * (and which an include puts around the response to drop them).
     */
    @Override
    public void statusAndHeaders(Delivery delivery, HttpServletRequest request, HttpServletResponse response) {
        statusAndHeaders(delivery, layer.find(request), response);
    }

    private static void statusAndHeaders(Delivery delivery, ServletLayer.Exchange exchange, HttpServletResponse response) {
        if (exchange != null && exchange.servletResponse() == response) {
            JettyHeaders.set(delivery, response, exchange.response().getHeaders());
        } else {
            StreamRenderer.statusAndHeaders(delivery, response);
        }
    }

    /** Why the body must go through the servlet stream, or {@code null} when it may go below it. */
    private static String obstacle(ServletLayer.Exchange exchange, HttpServletRequest request,
                                   HttpServletResponse response) {
        if (exchange == null) {
            return "the request is not Jetty's own (" + Wrappers.innermost(request).getClass().getName() + ")";
        }
        ServletResponseWrapper watcher = Wrappers.bodyWatcher(response);
        if (watcher != null) {
            return "the response is wrapped by " + watcher.getClass().getName() + ", which writes or watches the body itself";
        }
        ServletResponse own = Wrappers.innermost(response);
        if (own != exchange.servletResponse()) {
            return "the response is not Jetty's own below its wrappers (" + own.getClass().getName() + ")";
        }
        return exchange.written() ? "the response was written to before Keyhole" : null;
    }

    @Override
    public String name() {
        return "jetty (core response above 64 KiB, mapped from 1 MiB; stream below)";
    }
}
