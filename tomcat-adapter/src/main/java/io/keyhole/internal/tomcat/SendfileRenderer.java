package io.keyhole.internal.tomcat;

import io.keyhole.Delivery;
import io.keyhole.servlet.spi.Renderer;
import io.keyhole.servlet.spi.StreamRenderer;
import io.keyhole.servlet.spi.Wrappers;
import io.keyhole.storage.OpenedFile;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands a file region to Tomcat's sendfile, as Tomcat's own {@code DefaultServlet} does: sets
 * the status, the headers and the {@code org.apache.tomcat.sendfile.*} request attributes and
 * writes nothing; after the filter returns, the connector sends the region with
 * {@code FileChannel.transferTo}, which the kernel serves from the page cache.
 *
 * <p>Streams instead when sendfile cannot or should not be used: the connector does not offer it
 * ({@code org.apache.tomcat.sendfile.support}), another filter wrapped the response in a wrapper
 * that wants to see the body (it overrides {@code getOutputStream} or {@code getWriter}, as a
 * compressing or caching wrapper does; the connector would send the file behind its back), the
 * body is multipart (sendfile sends one region), it is no larger than {@link #MIN_SIZE}, or the
 * file is not a local file ({@link OpenedFile#localPath()} is empty). Standard wrappers that
 * leave the body alone do not stop sendfile: request wrappers of any kind (the attributes are set
 * on Tomcat's own request below them), response wrappers that override neither method, and
 * Spring Security's {@code OnCommittedResponseWrapper}s, which only watch for the commit to add
 * headers and add them when the filter chain returns anyway. The first request that is streamed
 * because of a wrapper or a connector without sendfile says so in the log, once.
 *
 * <p>Tomcat's sendfile takes a file <em>name</em> and opens it again after the filter has
 * returned: it sends whatever is at that name by then, following links, not the file Keyhole
 * opened and checked. This is the trust of X-Accel-Redirect: only for a tree that no untrusted
 * process can write to. And a file deleted before Tomcat opens it fails the response after its
 * headers went out. Streaming ({@code renderer=stream}) sends what was opened and has neither
 * weakness.
 *
 * <p>On Tomcat's own response the headers are set as bytes ({@link TomcatHeaders}).
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

    private static final System.Logger LOG = System.getLogger(SendfileRenderer.class.getName());

    private final AtomicBoolean warned = new AtomicBoolean();
    /** {@code null} where this Tomcat does not let the headers be set as bytes: then through the servlet API. */
    private final TomcatHeaders headers = tomcatHeaders();

    private static TomcatHeaders tomcatHeaders() {
        try {
            return new TomcatHeaders();
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.INFO, "response headers go through the servlet API, as strings for Tomcat to encode: {0}",
                    String.valueOf(e));
            return null;
        }
    }

    @Override
    public void render(Delivery.Send send, HttpServletRequest request, HttpServletResponse response) throws IOException {
        long first = send.ranges().isEmpty() ? 0 : send.ranges().get(0).first();
        long length = send.ranges().isEmpty() ? send.file().size() : send.ranges().get(0).length();
        // The name only when sendfile could take the body: building it costs a small body's request.
        Optional<Path> name = send.bodiless() || send.multipart() != null || length <= MIN_SIZE
                ? Optional.empty() : send.file().localPath();
        if (name.isEmpty()) {
            StreamRenderer.stream(this, send, request, response);
            return;
        }
        ServletRequest tomcat = Wrappers.innermost(request);
        String obstacle = obstacle(tomcat, response);
        if (obstacle != null) {
            if (warned.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "Tomcat''s sendfile cannot be used here, so files above 48 KiB are streamed"
                        + " through the servlet output stream: {0}. Said once.", obstacle);
            }
            StreamRenderer.stream(this, send, request, response);
            return;
        }
        statusAndHeaders(send, request, response);
        // Reopened by Tomcat after the filter returns; see the class comment for what that trusts.
        // Set on Tomcat's own request: a wrapper's setAttribute may keep them to itself.
        tomcat.setAttribute(FILENAME, name.get().toString());
        tomcat.setAttribute(START, first);
        tomcat.setAttribute(END, first + length);
    }

    /** As bytes on Tomcat's own response ({@link TomcatHeaders}), else through the servlet API. */
    @Override
    public void statusAndHeaders(Delivery delivery, HttpServletRequest request, HttpServletResponse response) {
        if (headers == null || !headers.set(delivery, response)) {
            StreamRenderer.statusAndHeaders(delivery, response);
        }
    }

    /**
     * Why sendfile cannot be used for this exchange, or {@code null} when it can. By class names,
     * as Tomcat's DefaultServlet checks them: this class links no Tomcat type.
     */
    private static String obstacle(ServletRequest tomcat, ServletResponse response) {
        if (!tomcat.getClass().getName().equals("org.apache.catalina.connector.RequestFacade")) {
            return "the request is not Tomcat's own below its wrappers (" + tomcat.getClass().getName() + ")";
        }
        if (!Boolean.TRUE.equals(tomcat.getAttribute(SUPPORT))) {
            return "the connector does not offer sendfile (useSendfile=false, or a connector without it)";
        }
        ServletResponseWrapper watcher = Wrappers.bodyWatcher(response);
        if (watcher != null) {
            return "the response is wrapped by " + watcher.getClass().getName() + ", which writes or watches the body itself";
        }
        ServletResponse r = Wrappers.innermost(response);
        if (!r.getClass().getName().equals("org.apache.catalina.connector.ResponseFacade")) {
            return "the response is not Tomcat's own below its wrappers (" + r.getClass().getName() + ")";
        }
        return null;
    }

    @Override
    public String name() {
        return "tomcat (sendfile above 48 KiB, stream below)";
    }
}
