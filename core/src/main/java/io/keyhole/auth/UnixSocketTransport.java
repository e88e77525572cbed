package io.keyhole.auth;

import io.keyhole.AuthorizationException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The nginx module's Unix-socket exchange: connect to a stream socket, write the whole
 * request, half-close the write side, read the answer until the backend closes. Uses the JDK's
 * own Unix-domain channels. One connection per exchange. Thread-safe.
 *
 * <p>A missing socket file or a refused connection is {@code UNAVAILABLE}; a connect that does
 * not complete within {@code connectTimeout} or an answer that has not fully arrived within
 * {@code answerTimeout} of the request being written is {@code TIMEOUT}; an answer longer than
 * {@code maxAnswerBytes} is {@code BAD_ANSWER}.
 */
public final class UnixSocketTransport implements Transport {

    /** Largest answer accepted by default. */
    public static final int DEFAULT_MAX_ANSWER_BYTES = 64 * 1024;

    public UnixSocketTransport(Path socket, Duration connectTimeout, Duration answerTimeout) {
        this(socket, connectTimeout, answerTimeout, DEFAULT_MAX_ANSWER_BYTES);
    }

    public UnixSocketTransport(Path socket, Duration connectTimeout, Duration answerTimeout, int maxAnswerBytes) {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public byte[] exchange(byte[] request) throws AuthorizationException {
        throw new UnsupportedOperationException("pending");
    }

    @Override
    public String describe() {
        throw new UnsupportedOperationException("pending");
    }
}
