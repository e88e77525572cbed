package io.keyhole.servlet;

import io.keyhole.Delivery;
import io.keyhole.DeliveryMode;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

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

    /**
     * The media endpoint's answer for {@code mediaPath}: a 302 (with a fresh token unless public),
     * a 403, or in development mode the file itself. A value, written by {@link #write}.
     */
    Delivery answer(MediaPath mediaPath, boolean isPublic, BooleanSupplier permitted, HttpServletRequest req) {
        return settings.answer(mediaPath, isPublic, permitted, req.getQueryString(), p -> deliver(p, req));
    }

    /** Writes {@code delivery}, as every Keyhole answer is written. */
    void write(Delivery delivery, HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (writer != null) {
            writer.write(delivery, req, res);
        } else {
            // Without media-root the application sends no file, only redirects and refusals.
            DeliveryWriter.copy(delivery, req, res);
        }
    }

    /**
     * The file at {@code path}, sent from the application: through X-Accel-Redirect when
     * {@code internal-media-prefix} is set, else streamed from {@code media-root}, with
     * conditional and range requests answered either way. The caller has checked permission.
     *
     * @throws IllegalStateException without {@code media-root}
     */
    Delivery deliver(MediaPath path, HttpServletRequest req) {
        if (sender == null) {
            throw new IllegalStateException("sending " + path + " from the application needs media-root: the directory"
                    + " media paths are relative to");
        }
        return sender.deliverMedia(new ServletRequestView(req), path);
    }
}
