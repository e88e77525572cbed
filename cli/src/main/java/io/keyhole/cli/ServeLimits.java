package io.keyhole.cli;

import io.keyhole.internal.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ThreadLimitHandler;

/**
 * What a slow or stalled client may cost {@code keyhole serve}: how long a connection may sit
 * idle (a request that stops sending, a download that is not read), how slowly a request body
 * may arrive and a response body be taken, and how many requests one client address may have
 * in the server's hands at once. Requests beyond that wait for a slot without holding a thread
 * (Jetty's asynchronous {@link ThreadLimitHandler}), and a download waiting for its client holds
 * no thread either (the handler writes the body asynchronously), so slow clients cannot take the
 * workers, on every JDK.
 *
 * @param idleTimeout          the longest a connection may make no progress, reading or writing
 * @param minUploadRate        the slowest a request body may arrive, in bytes per second; 0: no minimum
 * @param maxRequestsPerClient most requests of one client address served at once; 0: no limit
 * @param minDownloadRate      the slowest a client may take a response body, in bytes per second,
 *                             judged over each {@code downloadRateWindow}; 0: no minimum
 * @param downloadRateWindow   the period over which the download rate is judged; the first is
 *                             the grace a response starts with
 */
record ServeLimits(Duration idleTimeout, int minUploadRate, int maxRequestsPerClient, int minDownloadRate,
                   Duration downloadRateWindow) {

    static final String IDLE_TIMEOUT = "idle-timeout";
    static final String MIN_UPLOAD_RATE = "min-upload-rate";
    static final String MAX_REQUESTS_PER_CLIENT = "max-requests-per-client";
    static final String MIN_DOWNLOAD_RATE = "min-download-rate";
    static final String MIN_DOWNLOAD_RATE_WINDOW = "min-download-rate-window";
    /** The keys {@code serve} reads for these limits, besides those of the engine. */
    static final Set<String> KEYS = Set.of(IDLE_TIMEOUT, MIN_UPLOAD_RATE, MAX_REQUESTS_PER_CLIENT, MIN_DOWNLOAD_RATE,
            MIN_DOWNLOAD_RATE_WINDOW);

    private static final int DEFAULT_MIN_DOWNLOAD_RATE = 1024;
    private static final Duration DEFAULT_DOWNLOAD_RATE_WINDOW = Duration.ofSeconds(10);

    /**
     * 30 s idle, uploads at 1 KiB/s or faster, 16 requests per client address, downloads taken at
     * 1 KiB/s or faster in every 10 s.
     */
    static final ServeLimits DEFAULT = new ServeLimits(Duration.ofSeconds(30), 1024, 16);

    /** With the default download rate. */
    ServeLimits(Duration idleTimeout, int minUploadRate, int maxRequestsPerClient) {
        this(idleTimeout, minUploadRate, maxRequestsPerClient, DEFAULT_MIN_DOWNLOAD_RATE, DEFAULT_DOWNLOAD_RATE_WINDOW);
    }

    ServeLimits {
        if (idleTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(IDLE_TIMEOUT + " must be more than 0 and at most 1h, was " + idleTimeout);
        }
        if (minUploadRate < 0) {
            throw new IllegalArgumentException(MIN_UPLOAD_RATE + " must be 0 (no minimum) or more bytes per second,"
                    + " was " + minUploadRate);
        }
        if (maxRequestsPerClient < 0 || maxRequestsPerClient > 10_000) {
            throw new IllegalArgumentException(MAX_REQUESTS_PER_CLIENT + " must be 0 (no limit) to 10000, was "
                    + maxRequestsPerClient);
        }
        if (minDownloadRate < 0) {
            throw new IllegalArgumentException(MIN_DOWNLOAD_RATE + " must be 0 (no minimum) or more bytes per second,"
                    + " was " + minDownloadRate);
        }
        if (downloadRateWindow.compareTo(Duration.ofMillis(100)) < 0 || downloadRateWindow.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(MIN_DOWNLOAD_RATE_WINDOW + " must be 100ms to 1h, was " + downloadRateWindow);
        }
    }

    /**
     * Takes this record's keys out of {@code properties} (the rest belongs to the engine) and
     * reads them; unset keys keep their defaults.
     *
     * @throws IllegalArgumentException naming the key of a bad value
     */
    static ServeLimits take(Map<String, String> properties) {
        String idle = blankToNull(properties.remove(IDLE_TIMEOUT));
        String up = blankToNull(properties.remove(MIN_UPLOAD_RATE));
        String perClient = blankToNull(properties.remove(MAX_REQUESTS_PER_CLIENT));
        String down = blankToNull(properties.remove(MIN_DOWNLOAD_RATE));
        String window = blankToNull(properties.remove(MIN_DOWNLOAD_RATE_WINDOW));
        return new ServeLimits(
                idle == null ? DEFAULT.idleTimeout : Settings.duration(IDLE_TIMEOUT, idle),
                up == null ? DEFAULT.minUploadRate : Settings.integer(MIN_UPLOAD_RATE, up),
                perClient == null ? DEFAULT.maxRequestsPerClient : Settings.integer(MAX_REQUESTS_PER_CLIENT, perClient),
                down == null ? DEFAULT.minDownloadRate : Settings.integer(MIN_DOWNLOAD_RATE, down),
                window == null ? DEFAULT.downloadRateWindow : Settings.duration(MIN_DOWNLOAD_RATE_WINDOW, window));
    }

    /**
     * Sets the connection's idle timeout. A download the client stops reading makes no progress
     * and ends with the idle timeout, or earlier with the download rate; one read slowly holds a
     * request slot of its client, never a thread.
     */
    void apply(HttpConfiguration http, ServerConnector connector) {
        connector.setIdleTimeout(idleTimeout.toMillis());
        http.setIdleTimeout(idleTimeout.toMillis());
    }

    /**
     * {@code handler} behind the download rate ({@link DownloadRate}), the upload rate
     * ({@link UploadRate}) and the per-client limit.
     */
    Handler limit(Handler handler) {
        Handler down = minDownloadRate == 0 ? handler : new DownloadRate(handler, minDownloadRate, downloadRateWindow);
        Handler h = minUploadRate == 0 ? down : new UploadRate(down, minUploadRate);
        if (maxRequestsPerClient == 0) {
            return h;
        }
        // The connection's own address: behind a proxy every client is the proxy (raise the limit or set 0).
        ThreadLimitHandler limit = new ThreadLimitHandler(h, null, false);
        limit.setThreadLimit(maxRequestsPerClient);
        return limit;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
