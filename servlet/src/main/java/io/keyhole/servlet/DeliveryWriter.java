package io.keyhole.servlet;

import io.keyhole.Delivery;
import io.keyhole.KeyholeConfig;
import io.keyhole.NameValue;
import io.keyhole.servlet.spi.Renderer;
import io.keyhole.storage.OpenedFile;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link Delivery} to a servlet response: files through the configured {@link Renderer},
 * replies and redirects directly. The one place the servlet side turns decisions into bytes.
 */
final class DeliveryWriter {

    private static final System.Logger LOG = System.getLogger(DeliveryWriter.class.getName());

    private final Renderer renderer;

    /**
     * @param context the container, whose renderer {@code renderer=auto} looks for; {@code null}
     *                when unknown
     * @throws IllegalStateException when the configured renderer cannot be had here
     */
    DeliveryWriter(KeyholeConfig config, ServletContext context) {
        this.renderer = config.delivery().offloaded()
                ? new OffloadRenderer(config.delivery(), config.accelPrefix())
                : Renderers.select(config.renderer(), context);
    }

    /** The renderer's name for log lines, e.g. {@code stream}. */
    String rendererName() {
        return renderer.name();
    }

    /**
     * Writes {@code delivery}. A file it carries is closed afterwards, also when writing failed or
     * the client went away.
     *
     * @throws IllegalArgumentException for {@link Delivery.Pass}, which is the caller's to hand on
     */
    void write(Delivery delivery, HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (delivery instanceof Delivery.Send send) {
            try {
                renderer.render(send, req, res);
            } finally {
                close(send.file());
            }
        } else if (delivery instanceof Delivery.Reply reply) {
            writeReply(reply, req, res);
        } else if (delivery instanceof Delivery.Redirect redirect) {
            res.setStatus(redirect.status());
            for (NameValue h : redirect.headers()) {
                res.addHeader(h.name(), h.value());
            }
            res.setContentLength(0);
        } else {
            throw new IllegalArgumentException("nothing to write for " + delivery);
        }
    }

    private static void close(OpenedFile file) {
        try {
            file.close();
        } catch (IOException e) {
            // The body is written or lost already; a failing close of a file opened for reading changes neither.
            LOG.log(Level.DEBUG, "closing " + file + " failed", e);
        }
    }

    private static void writeReply(Delivery.Reply reply, HttpServletRequest req, HttpServletResponse res)
            throws IOException {
        res.setStatus(reply.status());
        for (NameValue h : reply.headers()) {
            res.addHeader(h.name(), h.value());
        }
        if (reply.message() == null || reply.status() == 304) {
            return;
        }
        byte[] body = (reply.message() + "\n").getBytes(StandardCharsets.UTF_8);
        String type = reply.header("Content-Type");
        res.setHeader("Content-Type", type != null ? type : "text/plain;charset=utf-8");
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setContentLength(body.length);
        if (!req.getMethod().equals("HEAD")) {
            res.getOutputStream().write(body);
        }
    }
}
