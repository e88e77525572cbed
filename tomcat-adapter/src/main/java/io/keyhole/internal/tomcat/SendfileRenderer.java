package io.keyhole.internal.tomcat;

import io.keyhole.Delivery;
import io.keyhole.servlet.spi.Renderer;
import io.keyhole.servlet.spi.StreamRenderer;
import io.keyhole.storage.OpenedFile;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Hands a file region to Tomcat's sendfile, as Tomcat's own {@code DefaultServlet} does: sets
 * the status, the headers and the {@code org.apache.tomcat.sendfile.*} request attributes and
 * writes nothing; after the filter returns, the connector sends the region with
 * {@code FileChannel.transferTo}, which the kernel serves from the page cache.
 *
 * <p>Streams instead when sendfile cannot or should not be used: the connector does not offer it
 * ({@code org.apache.tomcat.sendfile.support}), another filter wrapped the request or the
 * response (the wrapper would never see the bytes), the body is multipart (sendfile sends one
 * region), it is no larger than {@link #MIN_SIZE}, or the file is not a local file
 * ({@link OpenedFile#localPath()} is empty).
 *
 * <p>Tomcat's sendfile takes a file <em>name</em> and opens it again after the filter has
 * returned: it sends whatever is at that name by then, following links, not the file Keyhole
 * opened and checked. This is the trust of X-Accel-Redirect: only for a tree that no untrusted
 * process can write to. And a file deleted before Tomcat opens it fails the response after its
 * headers went out. Streaming ({@code renderer=stream}) sends what was opened and has neither
 * weakness.
 */
final class SendfileRenderer implements Renderer {

    static final String SUPPORT = "org.apache.tomcat.sendfile.support";
    static final String FILENAME = "org.apache.tomcat.sendfile.filename";
    static final String START = "org.apache.tomcat.sendfile.start";
    static final String END = "org.apache.tomcat.sendfile.end";
    /**
     * Tomcat's own threshold ({@code DefaultServlet}'s {@code sendfileSize}, 48 KiB): a smaller
     * body goes out with the headers from the output buffer in one write, which beats a detour
     * through the connector's poller.
     */
    static final long MIN_SIZE = 48 * 1024;

    private final StreamRenderer stream = new StreamRenderer();

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException {
        long first = send.ranges().isEmpty() ? 0 : send.ranges().get(0).first();
        long length = send.ranges().isEmpty() ? send.file().size() : send.ranges().get(0).length();
        Optional<Path> name = send.file().localPath();
        if (send.bodiless() || send.multipart() != null || length <= MIN_SIZE || name.isEmpty()
                || !unwrapped(request, response) || !Boolean.TRUE.equals(request.getAttribute(SUPPORT))) {
            stream.render(send, request, response);
            return;
        }
        StreamRenderer.statusAndHeaders(send, response);
        // Reopened by Tomcat after the filter returns; see the class comment for what that trusts.
        request.setAttribute(FILENAME, name.get().toString());
        request.setAttribute(START, first);
        request.setAttribute(END, first + length);
    }

    /** By class name, as Tomcat's DefaultServlet checks it: this class links no Tomcat type. */
    private static boolean unwrapped(HttpServletRequest request, HttpServletResponse response) {
        return request.getClass().getName().equals("org.apache.catalina.connector.RequestFacade")
                && response.getClass().getName().equals("org.apache.catalina.connector.ResponseFacade");
    }

    @Override
    public String name() {
        return "tomcat (sendfile above 48 KiB, stream below)";
    }
}
