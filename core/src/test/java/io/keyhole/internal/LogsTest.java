package io.keyhole.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

/** What the platform's own log handler writes for Keyhole's loggers, stack traces included. */
class LogsTest {

    /** Everything one logger writes, as the JDK's console handler would format it. */
    private static String written(Runnable logging) {
        Logger logger = Logger.getLogger(LogsTest.class.getName());
        List<String> out = new ArrayList<>();
        Handler handler = new Handler() {
            private final SimpleFormatter formatter = new SimpleFormatter();

            @Override
            public void publish(LogRecord record) {
                out.add(formatter.format(record));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            logging.run();
        } finally {
            logger.removeHandler(handler);
        }
        return String.join("", out);
    }

    @Test
    void anExceptionsMessagesCannotForgeLinesThroughItsStackTrace() {
        IOException inner = new IOException("answer was \"x\"\r\nSEVERE: FORGED by the backend\u001b[2J");
        UncheckedIOException outer = new UncheckedIOException("reading\nWARNING: FORGED too", inner);
        outer.addSuppressed(new IllegalStateException("closing\u2028FORGED as well"));
        String text = written(() -> Logs.of(LogsTest.class).log(System.Logger.Level.WARNING, "backend failed", outer));

        for (String line : text.split("\r?\n")) {
            assertTrue(!line.startsWith("SEVERE: FORGED") && !line.startsWith("WARNING: FORGED"), text);
        }
        assertTrue(!text.contains("\u001b") && !text.contains("\u2028"), text);
        assertTrue(text.contains("java.io.UncheckedIOException: reading\\nWARNING: FORGED too"), text);
        assertTrue(text.contains("Caused by: java.io.IOException: answer was \"x\"\\r\\nSEVERE: FORGED by the backend\\u001b[2J"),
                text);
        assertTrue(text.contains("Suppressed: java.lang.IllegalStateException: closing\\u2028FORGED as well"), text);
        // the frames are the original's
        assertTrue(text.contains("at io.keyhole.internal.LogsTest.anExceptionsMessagesCannotForgeLinesThroughItsStackTrace"),
                text);
    }

    @Test
    void aHarmlessExceptionIsLoggedAsItIs() {
        IOException plain = new IOException("C:\\tree\\a b.txt: no such file, \u00e9t\u00e9", new RuntimeException("inner"));
        assertSame(plain, Logs.escaped(plain));
        assertEquals(null, Logs.escaped(null));
    }

    @Test
    void aCauseCycleEnds() {
        IOException a = new IOException("a\n");
        IllegalStateException b = new IllegalStateException("b", a);
        a.initCause(b);
        String text = written(() -> Logs.of(LogsTest.class).log(System.Logger.Level.WARNING, "cycle", a));
        assertTrue(text.contains("java.io.IOException: a\\n"), text);
        assertTrue(text.contains("Caused by: java.lang.IllegalStateException: b"), text);
        assertTrue(text.contains("CIRCULAR REFERENCE"), text);
    }
}
