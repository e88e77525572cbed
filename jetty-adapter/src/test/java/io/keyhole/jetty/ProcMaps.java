package io.keyhole.jetty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jetty.server.Request;

/** What the kernel lists as mapped into this process, which tells a mapped file region from a copy. */
final class ProcMaps {

    private ProcMaps() {
    }

    /**
     * Whether this process has the file that {@code request} asks for (the id ending its path)
     * mapped into memory right now, as the kernel lists it in {@code /proc/self/maps}. Called
     * while a buffer is handed to the connection, it tells a mapped file region from a copy.
     */
    static boolean mapsFileOf(Request request) {
        String path = request.getHttpURI().getPath();
        String id = path.substring(path.lastIndexOf('/') + 1);
        try {
            return Files.readString(Path.of("/proc/self/maps")).contains("/" + id + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
