package io.keyhole.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The lines Keyhole logs while it is open, formatted as the platform's handlers write them
 * (message and parameters); for tests of what reaches a log. Attaches to the {@code io.keyhole}
 * logger and lets everything from {@code FINEST} up through.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level previous;
    private final List<String> lines = new ArrayList<>();
    private final Handler handler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            String line = formatter.formatMessage(record);
            if (record.getThrown() != null) {
                line += " | " + record.getThrown();
            }
            synchronized (lines) {
                lines.add(record.getLevel() + " " + record.getLoggerName() + ": " + line);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name) {
        this.logger = Logger.getLogger(name);
        this.previous = logger.getLevel();
        handler.setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** Captures every line of Keyhole's loggers until closed. */
    public static LogCapture start() {
        return of("io.keyhole");
    }

    /** Captures every line of the java.util.logging logger {@code name} and those below it until closed. */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** The lines so far, in order. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The lines so far that contain {@code text}. */
    public List<String> containing(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previous);
    }
}
