package io.keyhole.servlet;

import io.keyhole.Delivery;
import io.keyhole.DeliveryMode;
import io.keyhole.internal.Offload;
import io.keyhole.servlet.spi.Renderer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Lets the front server send the bytes: writes the answer {@link Offload} makes of the file
 * ({@code X-Accel-Redirect} or {@code X-Sendfile}, the representation headers, no body). The
 * headers of that answer, and of every other, are set by the container's renderer, which knows
 * the container's cheaper way to set them.
 */
final class OffloadRenderer implements Renderer {

    private final Offload offload;
    /** The container's renderer, which sends no body here: it only sets the headers. */
    private final Renderer container;

    OffloadRenderer(DeliveryMode mode, String prefix, Renderer container) {
        this.offload = new Offload(mode, prefix);
        this.container = container;
    }

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) {
        // The answer has no body: its status and headers are all of it.
        statusAndHeaders(offload.reply(send), request, response);
    }

    @Override
    public void statusAndHeaders(Delivery delivery, HttpServletRequest request, HttpServletResponse response) {
        container.statusAndHeaders(delivery, request, response);
    }

    /** {@link Offload#percentEncodePath}. */
    static String percentEncodePath(String path) {
        return Offload.percentEncodePath(path);
    }

    @Override
    public String name() {
        return offload.mode().key();
    }
}
