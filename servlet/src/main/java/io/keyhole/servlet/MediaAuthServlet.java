package io.keyhole.servlet;

import io.keyhole.media.MediaPath;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;

/**
 * The application's media endpoint, mapped to the media prefix (e.g. {@code /media/*}): the
 * media host sends browsers here for a fresh token. It finds the media object for the path,
 * then answers as {@link CrossDomainMediaAuth#respond} does; unknown media are 404.
 *
 * <pre>{@code
 * context.addServlet(new ServletHolder(new MediaAuthServlet(media,
 *         (request, path) -> documents.byFile(path.value())
 *                 .map(doc -> new DocumentMediaAuth(media, doc))
 *                 .orElse(null))), "/media/*");
 * }</pre>
 */
public class MediaAuthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Finds the media object a path names. Called once per request; must be thread-safe. */
    @FunctionalInterface
    public interface Resolver {

        /** The object's auth, or {@code null} when the application knows no such media (404). */
        CrossDomainMediaAuth<?> find(HttpServletRequest request, MediaPath path);
    }

    private final transient CrossDomainMedia media;
    private final transient Resolver resolver;

    public MediaAuthServlet(CrossDomainMedia media, Resolver resolver) {
        this.media = Objects.requireNonNull(media, "media");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        MediaPath path = media.pathOf(request);
        CrossDomainMediaAuth<?> auth = path == null ? null : resolver.find(request, path);
        if (auth == null) {
            response.setHeader("Cache-Control", "no-store");
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        auth.respond(request, response);
    }
}
