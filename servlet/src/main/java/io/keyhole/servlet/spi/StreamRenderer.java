package io.keyhole.servlet.spi;

import io.keyhole.Delivery;
import io.keyhole.NameValue;
import io.keyhole.http.ByteRange;
import io.keyhole.storage.OpenedFile;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.List;

/**
 * Streams the opened file through the servlet output stream. Portable to every container and to
 * every storage; it copies through a buffer of at most 64 KiB, so memory stays flat whatever the
 * file's size.
 */
public final class StreamRenderer implements Renderer {

    private static final int BUFFER = 64 * 1024;

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException {
        statusAndHeaders(send, response);
        if (send.bodiless()) {
            return;
        }
        OpenedFile file = send.file();
        OutputStream out = response.getOutputStream();
        List<ByteRange> ranges = send.ranges();
        if (ranges.isEmpty()) {
            copy(file, 0, file.size(), out);
        } else if (send.multipart() == null) {
            copy(file, ranges.get(0).first(), ranges.get(0).length(), out);
        } else {
            for (int i = 0; i < ranges.size(); i++) {
                out.write(send.multipart().partHeader(i));
                copy(file, ranges.get(i).first(), ranges.get(i).length(), out);
            }
            out.write(send.multipart().closing());
        }
    }

    /**
     * Sets the status and every header of {@code send} on {@code response}; Content-Length
     * through {@link HttpServletResponse#setContentLengthLong}, so the container knows the body's
     * length. What every renderer does before the body.
     */
    public static void statusAndHeaders(Delivery.Send send, HttpServletResponse response) {
        response.setStatus(send.status());
        for (NameValue h : send.headers()) {
            if (h.name().equalsIgnoreCase("Content-Length")) {
                response.setContentLengthLong(send.contentLength());
            } else {
                response.addHeader(h.name(), h.value());
            }
        }
    }

    /**
     * Copies {@code count} bytes from {@code position}. A file truncated since it was opened
     * ends the response early rather than padding it: the client sees a short body.
     */
    private static void copy(OpenedFile file, long position, long count, OutputStream out) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BUFFER, Math.max(count, 1)));
        long left = count;
        try (ReadableByteChannel in = file.range(position, count)) {
            while (left > 0) {
                buffer.clear();
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IOException(file.relativePath() + " ended " + left + " bytes early");
                }
                out.write(buffer.array(), 0, n);
                left -= n;
            }
        }
    }

    @Override
    public String name() {
        return "stream";
    }
}
