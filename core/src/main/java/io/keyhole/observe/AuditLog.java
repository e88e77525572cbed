package io.keyhole.observe;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * The audit log: one line per answered request, as a JSON object — time, method, operation,
 * file id, auth value, outcome, status, body bytes, backend milliseconds. Never a token: the auth
 * value is what the verified credential names, and the file id is the requested path below the
 * mount, without its query. Every control character is escaped, so a hostile path cannot forge
 * a line.
 *
 * <p>{@link #SYSTEM} writes through {@link System.Logger} {@value #LOGGER_NAME} at {@code INFO};
 * every {@code Keyhole} uses it, and configuring that logger (level, appender) routes or silences
 * it. {@code keyhole serve} can also write the lines to a file ({@code audit-log}).
 */
public final class AuditLog implements KeyholeListener {

    /** The logger the audit lines go to. */
    public static final String LOGGER_NAME = "io.keyhole.audit";

    /** Audit lines through {@link System.Logger} {@value #LOGGER_NAME}, when it logs {@code INFO}. */
    public static final KeyholeListener SYSTEM = new AuditLog();

    /** Longer file ids (only a hostile client sends one) are cut to this many characters. */
    private static final int MAX_FIELD = 256;

    private final System.Logger logger = System.getLogger(LOGGER_NAME);

    private AuditLog() {
    }

    @Override
    public void answered(Answered event) {
        if (logger.isLoggable(Level.INFO)) {
            logger.log(Level.INFO, line(event));
        }
    }

    /**
     * {@code event} as one line of JSON, e.g. <pre>{@code
     * {"time":"2026-01-02T03:04:05.678Z","method":"GET","operation":"download","file_id":"abcd…",
     *  "auth_value":"alice","outcome":"granted","status":200,"bytes":1500000,"backend_ms":1.25}
     * }</pre> (on one line); absent values are {@code null}.
     */
    public static String line(Answered event) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":");
        string(b, event.time().toString());
        b.append(",\"method\":");
        string(b, event.method());
        b.append(",\"operation\":");
        string(b, event.operation());
        b.append(",\"file_id\":");
        string(b, event.fileId());
        b.append(",\"auth_value\":");
        string(b, event.authValue());
        b.append(",\"outcome\":");
        string(b, outcome(event.outcome()));
        b.append(",\"status\":").append(event.status());
        b.append(",\"bytes\":").append(event.bytes());
        b.append(",\"backend_ms\":").append(String.format(Locale.ROOT, "%.3f", event.backendNanos() / 1e6));
        return b.append('}').toString();
    }

    /** The outcome as metrics and the audit log spell it: {@code granted}, {@code not-modified}, … */
    public static String outcome(Outcome outcome) {
        return outcome.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void string(StringBuilder b, String value) {
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        int end = Math.min(value.length(), MAX_FIELD);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    // C0, DEL, C1 and the Unicode line separators: escaped, so that no reader sees a line break or a terminal escape
                    if (c < 0x20 || c >= 0x7f && c <= 0x9f || c == '\u2028' || c == '\u2029') {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (value.length() > end) {
            b.append('…');
        }
        b.append('"');
    }
}
