package io.keyhole.authorizer;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;

/**
 * How a question is written and an answer read, independent of how the bytes travel.
 * Implementations are immutable and thread-safe.
 */
public interface RequestType {

    /** The question as bytes. */
    byte[] encode(AuthRequest request);

    /**
     * The answer from bytes.
     *
     * @param backend describes the backend, for the exception message
     * @param elapsedMillis time spent so far, for the exception message
     * @throws AuthorizationException of kind {@code BAD_ANSWER} when the bytes are not an answer
     */
    AuthResponse decode(byte[] answer, String backend, long elapsedMillis) throws AuthorizationException;
}
