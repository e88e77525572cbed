package io.keyhole.backend;

import io.keyhole.Authorizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The backend side of the JSON-over-Unix-socket exchange, for authorisation backends written in
 * Java: accepts connections on a stream socket, reads each question to EOF, asks a
 * {@link Authorizer} and writes its answer in the module's JSON, then closes. Understands
 * requests of both field generations.
 */
public final class JsonSocketServer implements AutoCloseable {

    private JsonSocketServer() {
        throw new UnsupportedOperationException("pending");
    }

    /**
     * Binds {@code socket} (replacing a stale socket file) and starts serving on daemon threads.
     *
     * @param handler answers each question; an exception it throws closes that connection
     *                without an answer (the caller sees a backend failure)
     */
    public static JsonSocketServer start(Path socket, Authorizer handler) throws IOException {
        throw new UnsupportedOperationException("pending");
    }

    /** The socket path served. */
    public Path socket() {
        throw new UnsupportedOperationException("pending");
    }

    /** Stops accepting, closes open connections, removes the socket file. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("pending");
    }
}
