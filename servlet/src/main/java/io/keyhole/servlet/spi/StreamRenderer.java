package io.keyhole.servlet.spi;

import io.keyhole.Delivery;
import io.keyhole.NameValue;
import io.keyhole.http.ByteRange;
import io.keyhole.storage.OpenedFile;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Streams the opened file through the servlet output stream ({@link OpenedFile#writeTo}). Portable
 * to every container and to every storage; memory stays flat whatever the file's size.
 */
public final class StreamRenderer implements Renderer {

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException {
        stream(this, send, request, response);
    }

    /**
     * Streams {@code send} as this renderer does, its status and headers set by {@code headers}
     * ({@link Renderer#statusAndHeaders}): what a container's renderer does with a body it does
     * not hand to the container.
     */
    public static void stream(Renderer headers, Delivery.Send send, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        headers.statusAndHeaders(send, request, response);
        if (!send.bodiless()) {
            body(send, response.getOutputStream());
        }
    }

    /**
     * Writes the body of {@code send} to {@code out}: the file, its one range, or its ranges as
     * {@code multipart/byteranges}. What this renderer writes after the headers, for a renderer
     * that sets the headers its own way.
     */
    public static void body(Delivery.Send send, OutputStream out) throws IOException {
        OpenedFile file = send.file();
        List<ByteRange> ranges = send.ranges();
        if (ranges.isEmpty()) {
            file.writeTo(0, file.size(), out);
        } else if (send.multipart() == null) {
            file.writeTo(ranges.get(0).first(), ranges.get(0).length(), out);
        } else {
            for (int i = 0; i < ranges.size(); i++) {
                out.write(send.multipart().partHeader(i));
                file.writeTo(ranges.get(i).first(), ranges.get(i).length(), out);
            }
            out.write(send.multipart().closing());
        }
    }

    /**
     * Sets the status and every header of {@code delivery} (a file's, or an answer without one)
     * on {@code response}; Content-Length through {@link HttpServletResponse#setContentLengthLong},
     * so the container knows the body's length. What every renderer does before the body.
     */
    public static void statusAndHeaders(Delivery delivery, HttpServletResponse response) {
        response.setStatus(delivery.status());
        for (NameValue h : delivery.headers()) {
            if (h.name().equalsIgnoreCase("Content-Length")) {
                response.setContentLengthLong(contentLength(delivery, h.value()));
            } else {
                response.addHeader(h.name(), h.value());
            }
        }
    }

    /** The body's length: a file's as the core worked it out, else the value of the answer's {@code Content-Length}. */
    public static long contentLength(Delivery delivery, String headerValue) {
        return delivery instanceof Delivery.Send send ? send.contentLength() : Long.parseLong(headerValue);
    }

    @Override
    public String name() {
        return "stream";
    }
}
