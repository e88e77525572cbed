package io.keyhole.servlet;

import io.keyhole.DeliveryMode;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.media.AuthAnswer;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The application's side of cross-domain media, made once per application from its
 * {@link MediaSettings} and shared (thread-safe). {@link CrossDomainMediaAuth} objects, one per
 * media object, are made from it; {@link MediaAuthServlet} answers the media endpoint with them.
 *
 * <pre>{@code
 * CrossDomainMedia media = CrossDomainMedia.of(MediaSettings.fromProperties(Map.of(
 *         "site-url", "https://www.example.com",
 *         "media-url", "https://media.example.org/media/",
 *         "media-key", "k1:file:/etc/keyhole/media-k1.key")));
 * }</pre>
 */
public final class CrossDomainMedia {

    private final MediaSettings settings;
    /**
     * Sends files the application serves itself (development mode, {@code sendInternalFile});
     * {@code null} without {@code media-root}, which an application in production need not have.
     */
    private final Keyhole sender;
    private final DeliveryWriter writer;

    private CrossDomainMedia(MediaSettings settings) {
        this.settings = settings;
        if (settings.root() == null) {
            this.sender = null;
            this.writer = null;
        } else {
            KeyholeConfig config = KeyholeConfig.builder()
                    .media(settings)
                    .delivery(settings.internalMediaPrefix() != null ? DeliveryMode.X_ACCEL_REDIRECT : DeliveryMode.STREAM)
                    .build();
            this.sender = new Keyhole(config);
            // built before any request, so no container is known: files are streamed
            this.writer = new DeliveryWriter(config, null);
        }
    }

    /**
     * @throws IllegalArgumentException in development mode without {@code media-root}: the
     *                                  application would have no files to serve
     */
    public static CrossDomainMedia of(MediaSettings settings) {
        Objects.requireNonNull(settings, "settings");
        if (settings.development() && settings.root() == null) {
            throw new IllegalArgumentException("development mode (media-url " + settings.mediaUrl() + ") serves media"
                    + " from the application itself: set media-root");
        }
        return new CrossDomainMedia(settings);
    }

    /** {@link #of} from text keys ({@link MediaSettings.Builder#KEYS}). */
    public static CrossDomainMedia fromProperties(Map<String, String> properties) {
        return of(MediaSettings.fromProperties(properties));
    }

    /** The settings. */
    public MediaSettings settings() {
        return settings;
    }

    /**
     * The media path a request to the media endpoint names: its path below the context as the
     * container decoded it, minus the media prefix, validated. For a controller mapped to
     * {@code /media/**}.
     *
     * @return the path, or {@code null} when the request is not for a valid media path
     */
    public MediaPath pathOf(HttpServletRequest request) {
        String path = ServletRequestView.pathInContext(request);
        String prefix = settings.mediaPrefix();
        return path.startsWith(prefix) ? MediaPath.fromDecoded(path.substring(prefix.length())) : null;
    }

    /** Writes {@code answer}: a 302 or a 403 (neither cacheable), or the file itself. */
    void write(AuthAnswer answer, HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (answer instanceof AuthAnswer.Redirect redirect) {
            // A cached redirect would hand out the same token after it expired.
            res.setStatus(HttpServletResponse.SC_FOUND);
            res.setHeader("Location", redirect.location());
            res.setHeader("Cache-Control", "no-store");
            res.setContentLength(0);
        } else if (answer instanceof AuthAnswer.ServeHere here) {
            send(here.path(), req, res);
        } else {
            writeForbidden(req, res);
        }
    }

    /** 403 with a short text body and no cache. */
    private static void writeForbidden(HttpServletRequest req, HttpServletResponse res) throws IOException {
        byte[] body = "forbidden\n".getBytes(StandardCharsets.US_ASCII);
        res.setStatus(HttpServletResponse.SC_FORBIDDEN);
        res.setHeader("Cache-Control", "no-store");
        res.setHeader("Content-Type", "text/plain;charset=utf-8");
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setContentLength(body.length);
        if (!req.getMethod().equals("HEAD")) {
            res.getOutputStream().write(body);
        }
    }

    /**
     * Sends the file at {@code path} from the application: through X-Accel-Redirect when
     * {@code internal-media-prefix} is set, else streamed from {@code media-root}, with
     * conditional and range requests answered either way. The caller has checked permission.
     *
     * @throws IllegalStateException without {@code media-root}
     */
    void send(MediaPath path, HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (sender == null) {
            throw new IllegalStateException("sending " + path + " from the application needs media-root: the directory"
                    + " media paths are relative to");
        }
        writer.write(sender.deliverMedia(new ServletRequestView(req), path), req, res);
    }
}
