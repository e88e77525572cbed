package io.keyhole.servlet;

import io.keyhole.Delivery;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Writes a granted file to a servlet response: by streaming its bytes, or by handing it to a
 * front server. Implementations are stateless and thread-safe.
 */
interface Renderer {

    /** Sends {@code send}: status, headers and (unless bodiless) the body. */
    void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException;

    /** A name for the start-up log line, e.g. {@code stream}. */
    String name();
}
