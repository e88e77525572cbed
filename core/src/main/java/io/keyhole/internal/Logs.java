package io.keyhole.internal;

import java.text.MessageFormat;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.ResourceBundle;

/**
 * The loggers of Keyhole: {@link System.Logger}s whose every line has its control characters
 * escaped. Log lines carry values from outside (a backend's {@code error} text, ids, paths,
 * methods, file names); a CR or LF among them must never start a forged line, and an escape
 * sequence must never reach a terminal. The line is formatted first and escaped as a whole, so no
 * call site can forget a value; a logged exception's messages, and its causes', are escaped too
 * (an I/O error or a driver may quote what it received).
 */
public final class Logs {

    private Logs() {
    }

    /** The logger of {@code owner}, named after it, escaping every line it writes. */
    public static System.Logger of(Class<?> owner) {
        return new Escaping(System.getLogger(owner.getName()));
    }

    /**
     * {@code text} with every control character written as an escape: {@code \r}, {@code \n},
     * {@code \t}, and {@code \}{@code uXXXX} for the other C0 and C1 controls, DEL and the Unicode
     * line and paragraph separators. In such a text a backslash is doubled, so that every escape in
     * the output stands for an escaped character; text without control characters, non-ASCII letters
     * and Windows paths included, is returned as it is.
     */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        if (text.chars().noneMatch(c -> needsEscape((char) c))) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (needsEscape(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** Whether {@code c} is a control character a log line must not carry. */
    private static boolean needsEscape(char c) {
        return c < 0x20 || c >= 0x7f && c <= 0x9f || c == '\u2028' || c == '\u2029';
    }

    private static boolean needsEscape(String text) {
        return text != null && text.chars().anyMatch(c -> needsEscape((char) c));
    }

    /**
     * {@code thrown} as a log may print it: itself when no message in it, its causes or its
     * suppressed exceptions holds a control character; otherwise a stand-in that prints the same
     * class names, messages (escaped) and stack frames.
     */
    static Throwable escaped(Throwable thrown) {
        return thrown == null || !needsEscape(thrown, Collections.newSetFromMap(new IdentityHashMap<>())) ? thrown
                : new Escaped(thrown, new IdentityHashMap<>());
    }

    private static boolean needsEscape(Throwable t, Set<Throwable> seen) {
        if (t == null || !seen.add(t)) {
            return false;
        }
        if (needsEscape(t.toString()) || needsEscape(t.getCause(), seen)) {
            return true;
        }
        for (Throwable s : t.getSuppressed()) {
            if (needsEscape(s, seen)) {
                return true;
            }
        }
        return false;
    }

    /** Prints as the exception it stands for, with every text escaped. */
    private static final class Escaped extends Throwable {

        private static final long serialVersionUID = 1L;

        private final String shown;

        Escaped(Throwable original, Map<Throwable, Escaped> done) {
            super(original.getMessage() == null ? null : escape(original.getMessage()));
            done.put(original, this);
            this.shown = escape(original.toString());
            setStackTrace(original.getStackTrace());
            Throwable cause = original.getCause();
            if (cause != null) {
                Escaped known = done.get(cause);
                initCause(known != null ? known : new Escaped(cause, done));
            }
            for (Throwable s : original.getSuppressed()) {
                Escaped known = done.get(s);
                addSuppressed(known != null ? known : new Escaped(s, done));
            }
        }

        @Override
        public String toString() {
            return shown;
        }
    }

    /** Formats like the platform's loggers ({@link MessageFormat} when there are parameters), then escapes. */
    private record Escaping(System.Logger delegate) implements System.Logger {

        Escaping {
            Objects.requireNonNull(delegate, "delegate");
        }

        @Override
        public String getName() {
            return delegate.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return delegate.isLoggable(level);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (delegate.isLoggable(level)) {
                delegate.log(level, bundle, escapeLine(msg), escaped(thrown));
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (!delegate.isLoggable(level)) {
                return;
            }
            String line = format;
            if (params != null && params.length > 0 && format != null) {
                line = MessageFormat.format(format, params);
            }
            delegate.log(level, bundle, escapeLine(line), (Object[]) null);
        }

        private static String escapeLine(String line) {
            return line == null ? null : escape(line);
        }
    }
}
