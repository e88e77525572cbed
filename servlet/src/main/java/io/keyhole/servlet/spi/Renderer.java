package io.keyhole.servlet.spi;

import io.keyhole.Delivery;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Writes a granted file to a servlet response: by streaming its bytes, by handing it to the
 * container's zero-copy path, or by handing it to a front server.
 *
 * <p>Implementations are thread-safe; one instance serves every request of a filter. A renderer
 * that cannot use its fast path for a request (a wrapped response, a multipart body) falls back
 * to {@link StreamRenderer} rather than failing.
 */
public interface Renderer {

    /**
     * Sends {@code send}: status, headers and, unless {@link Delivery.Send#bodiless()}, the
     * body from {@link Delivery.Send#file()}, the file the storage opened. Returns when the body
     * has been written or handed over to the container. The caller closes the file afterwards,
     * whatever happened, so a renderer reads it only while this method runs.
     *
     * @throws IOException when the file cannot be read or the client went away; the response may
     *                     then be committed and incomplete
     */
    void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException;

    /**
     * Sets the status and every header of {@code delivery} (a file's, or an answer without one)
     * on {@code response}, as {@link StreamRenderer#statusAndHeaders(Delivery, HttpServletResponse)}
     * does through the servlet API, which is what this default does. A container's renderer may set
     * them its own, cheaper way, but must leave a response that is not the container's own (a
     * wrapper must see every header; an included response drops them) to the servlet API.
     */
    default void statusAndHeaders(Delivery delivery, HttpServletRequest request, HttpServletResponse response) {
        StreamRenderer.statusAndHeaders(delivery, response);
    }

    /** What the start-up log line calls this renderer, e.g. {@code stream}. */
    String name();
}
