package io.keyhole.servlet;

import io.keyhole.Delivery;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;

/**
 * Who may see one media object, and its URLs: the Java counterpart of the original library's
 * class of the same name. Subclass it once per kind of media; make one per object, from a
 * context (the object itself, say). Instances are cheap and need not be thread-safe.
 *
 * <pre>{@code
 * final class DocumentMediaAuth extends CrossDomainMediaAuth<Document> {
 *     DocumentMediaAuth(CrossDomainMedia media, Document doc) { super(media, doc); }
 *
 *     public boolean isMediaPublic() { return context().isPublic(); }
 *     public boolean hasPermission(HttpServletRequest request) {
 *         return context().owner().equals(request.getRemoteUser());
 *     }
 *     public String mediaFilePath() { return context().file(); }   // relative to media-root
 * }
 *
 * // in a page: a URL the browser can use for the next two minutes
 * new DocumentMediaAuth(media, doc).fullMediaUrl(true);
 * }</pre>
 *
 * @param <C> the context type
 */
public abstract class CrossDomainMediaAuth<C> {

    private final CrossDomainMedia media;
    private final C context;

    protected CrossDomainMediaAuth(CrossDomainMedia media, C context) {
        this.media = Objects.requireNonNull(media, "media");
        this.context = context;
    }

    /** What this object describes. */
    public final C context() {
        return context;
    }

    /** The shared settings. */
    public final MediaSettings settings() {
        return media.settings();
    }

    /** Whether the media need no authorisation at all. Default: no. */
    public boolean isMediaPublic() {
        return false;
    }

    /**
     * Whether the user of {@code request} (its session) may see the media. Asked only when the
     * media are not public. Default: no.
     */
    public boolean hasPermission(HttpServletRequest request) {
        return false;
    }

    /** The file's path relative to {@code media-root}, e.g. {@code docs/report.pdf}. */
    public abstract String mediaFilePath();

    /**
     * The path of the application's endpoint for these media, below the site URL: where the
     * media host sends browsers that need a token. It has the media URL's path, as in the
     * original library, so {@link MediaAuthServlet} is mapped to the media prefix; override it
     * only when a front server rewrites the path on its way.
     */
    public String authUrl() {
        return settings().mediaPrefix() + mediaPath().urlPath();
    }

    /** The media URL without a token. */
    public String mediaUrl() {
        return settings().mediaUrl(mediaPath());
    }

    /**
     * The media URL, with a fresh token when {@code authorized} (outside development mode). Pass
     * {@code true} only after checking that the user may see the media.
     */
    public String fullMediaUrl(boolean authorized) {
        return settings().fullMediaUrl(mediaPath(), authorized);
    }

    /**
     * The endpoint's decision for {@code request}, as a value: for a framework that renders
     * responses itself.
     */
    public Delivery answer(HttpServletRequest request) {
        return media.answer(mediaPath(), isMediaPublic(), () -> hasPermission(request), request);
    }

    /**
     * Answers the media endpoint: public → 302 to the media URL; permitted → 302 to the media
     * URL with a fresh token; otherwise 403. In development mode the file itself instead of a
     * redirect. Usable from any servlet or Spring controller.
     */
    public void respond(HttpServletRequest request, HttpServletResponse response) throws IOException {
        media.write(answer(request), request, response);
    }

    /**
     * Sends the file from the application, without asking about permission: by
     * X-Accel-Redirect to {@code internal-media-prefix} when it is set (nginx then sends the
     * bytes), else streamed from {@code media-root}. Ranges and conditional requests are
     * answered either way.
     */
    public void sendInternalFile(HttpServletRequest request, HttpServletResponse response) throws IOException {
        media.write(media.deliver(mediaPath(), request), request, response);
    }

    private MediaPath mediaPath() {
        return MediaPath.of(mediaFilePath());
    }
}
