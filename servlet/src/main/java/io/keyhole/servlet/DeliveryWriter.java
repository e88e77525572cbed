package io.keyhole.servlet;

import io.keyhole.Answer;
import io.keyhole.Delivery;
import io.keyhole.KeyholeConfig;
import io.keyhole.internal.Logs;
import io.keyhole.servlet.spi.Renderer;
import io.keyhole.servlet.spi.StreamRenderer;
import io.keyhole.storage.OpenedFile;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * Writes a {@link Delivery} to a servlet response: files through the configured {@link Renderer},
 * replies and redirects directly. The one place the servlet side turns decisions into bytes.
 */
final class DeliveryWriter {

    private static final System.Logger LOG = Logs.of(DeliveryWriter.class);
    /** Sets headers through the servlet API, for answers written without a container's renderer. */
    private static final Renderer SERVLET_API = new StreamRenderer();

    private final Renderer renderer;

    /**
     * @param context the container, whose renderer {@code renderer=auto} looks for; {@code null}
     *                when unknown
     * @throws IllegalStateException when the configured renderer cannot be had here
     */
    DeliveryWriter(KeyholeConfig config, ServletContext context) {
        this.renderer = config.delivery().offloaded()
                ? new OffloadRenderer(config.delivery(), config.accelPrefix(), Renderers.forHeaders(context))
                : Renderers.select(config.renderer(), context);
    }

    /** The renderer's name for log lines, e.g. {@code stream}. */
    String rendererName() {
        return renderer.name();
    }

    /**
     * Writes {@code answer}'s delivery as {@link #write(Delivery, HttpServletRequest, HttpServletResponse)}
     * does, then reports it: sent, with the body's length, or failed. A container's zero-copy path
     * counts as sent once the container has taken the file. Of a failed write the bytes that went
     * out before are not known here: it is reported with 0.
     */
    void write(Answer answer, HttpServletRequest req, HttpServletResponse res) throws IOException {
        long bytes;
        try {
            bytes = write(answer.delivery(), req, res);
        } catch (IOException | RuntimeException | Error e) {
            answer.failed(0);
            throw e;
        }
        answer.sent(bytes);
    }

    /**
     * Writes {@code delivery}: a file through the renderer, which is closed afterwards, also when
     * writing failed or the client went away; anything else as the core framed it, its status, its
     * headers and its body, which HEAD leaves out.
     *
     * @return the body bytes written here: none for HEAD or when a front server sends the file
     * @throws IllegalArgumentException for {@link Delivery.Pass}, which is the caller's to hand on
     */
    long write(Delivery delivery, HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (delivery instanceof Delivery.Send send) {
            try {
                renderer.render(send, req, res);
            } finally {
                close(send.file());
            }
            return send.bodiless() || renderer instanceof OffloadRenderer ? 0 : send.contentLength();
        }
        return copy(delivery, renderer, req, res);
    }

    private static void close(OpenedFile file) {
        try {
            file.close();
        } catch (IOException e) {
            // The body is written or lost already; a failing close of a file opened for reading changes neither.
            LOG.log(Level.DEBUG, "closing " + file + " failed", e);
        }
    }

    /**
     * Writes an answer without a file as the core framed it, its headers through the servlet API.
     *
     * @return the body bytes written
     * @throws IllegalArgumentException for a file, which needs a renderer, and for {@link Delivery.Pass}
     */
    static long copy(Delivery delivery, HttpServletRequest req, HttpServletResponse res) throws IOException {
        return copy(delivery, SERVLET_API, req, res);
    }

    /** {@link #copy(Delivery, HttpServletRequest, HttpServletResponse)} with the headers set by {@code headers}. */
    private static long copy(Delivery delivery, Renderer headers, HttpServletRequest req, HttpServletResponse res)
            throws IOException {
        if (delivery instanceof Delivery.Send || delivery instanceof Delivery.Pass) {
            throw new IllegalArgumentException("nothing to write for " + delivery);
        }
        headers.statusAndHeaders(delivery, req, res);
        byte[] body = delivery instanceof Delivery.Reply reply ? reply.body() : null;
        if (body == null || req.getMethod().equals("HEAD")) {
            return 0;
        }
        res.getOutputStream().write(body);
        return body.length;
    }
}
