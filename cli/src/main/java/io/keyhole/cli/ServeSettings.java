package io.keyhole.cli;

import io.keyhole.internal.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The keys {@code keyhole serve} reads itself, around the engine's own configuration: where it
 * listens, its admin endpoints, the audit file and how long a stop waits.
 *
 * @param listen          the file server's address
 * @param adminListen     where {@code /metrics} and {@code /health} are served; {@code null}: nowhere
 * @param auditLog        the file audit lines are appended to as JSON; {@code null}: none
 * @param shutdownTimeout how long a stop waits for requests in flight before cutting them off
 */
record ServeSettings(Listen listen, Listen adminListen, Path auditLog, Duration shutdownTimeout) {

    static final String LISTEN = "listen";
    static final String ADMIN_LISTEN = "admin-listen";
    static final String AUDIT_LOG = "audit-log";
    static final String SHUTDOWN_TIMEOUT = "shutdown-timeout";
    static final List<String> KEYS = List.of(LISTEN, ADMIN_LISTEN, AUDIT_LOG, SHUTDOWN_TIMEOUT);
    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Takes serve's own keys out of {@code properties}, leaving the engine's.
     *
     * @throws IllegalArgumentException naming the key of a bad value
     */
    static ServeSettings take(Map<String, String> properties) {
        String listen = blankToNull(properties.remove(LISTEN));
        String admin = blankToNull(properties.remove(ADMIN_LISTEN));
        String audit = blankToNull(properties.remove(AUDIT_LOG));
        String timeout = blankToNull(properties.remove(SHUTDOWN_TIMEOUT));
        Duration shutdown = timeout == null ? DEFAULT_SHUTDOWN_TIMEOUT : Settings.duration(SHUTDOWN_TIMEOUT, timeout);
        if (shutdown.isNegative()) {
            throw new IllegalArgumentException(SHUTDOWN_TIMEOUT + " must not be negative: " + timeout);
        }
        return new ServeSettings(listen == null ? Listen.DEFAULT : parse(LISTEN, listen),
                admin == null ? null : parse(ADMIN_LISTEN, admin),
                audit == null ? null : Path.of(audit).toAbsolutePath(), shutdown);
    }

    private static Listen parse(String key, String text) {
        try {
            return Listen.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
