package io.keyhole.cli;

import io.keyhole.observe.Answered;
import io.keyhole.observe.AuditLog;
import io.keyhole.observe.KeyholeListener;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code audit-log = FILE}: each answered request appended to FILE as one line of JSON
 * ({@link AuditLog#line}), flushed at once, so that a line is complete or absent. Opened for
 * appending and created readable by its owner alone; rotate it with {@code copytruncate}, or
 * rename it and send SIGHUP, which reopens it.
 */
final class AuditFile implements KeyholeListener, AutoCloseable {

    private final Path file;
    private Writer out;

    AuditFile(Path file) throws IOException {
        this.file = file;
        this.out = open(file);
    }

    private static Writer open(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        }
        return Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    Path file() {
        return file;
    }

    @Override
    public synchronized void answered(Answered event) {
        try {
            out.write(AuditLog.line(event));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the audit log " + file, e);
        }
    }

    /** Closes the file and opens it again by name: after a rotation, the new file. */
    synchronized void reopen() throws IOException {
        Writer fresh = open(file);
        out.close();
        out = fresh;
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
