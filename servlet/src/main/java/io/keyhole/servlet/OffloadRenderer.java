package io.keyhole.servlet;

import io.keyhole.Delivery;
import io.keyhole.DeliveryMode;
import io.keyhole.internal.Offload;
import io.keyhole.servlet.spi.Renderer;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Lets the front server send the bytes: writes the answer {@link Offload} makes of the file
 * ({@code X-Accel-Redirect} or {@code X-Sendfile}, the representation headers, no body).
 */
final class OffloadRenderer implements Renderer {

    private final Offload offload;

    OffloadRenderer(DeliveryMode mode, String prefix) {
        this.offload = new Offload(mode, prefix);
    }

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException {
        DeliveryWriter.copy(offload.reply(send), request, response);
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
