package io.keyhole.authorizer;

import io.keyhole.AuthorizationException;
import io.keyhole.FileId;
import java.util.Optional;

/**
 * Where {@link StoredAnswers} keeps each file's recorded upload question: a {@code .meta} file
 * beside the file ({@code request-type=internal}) or a Redis key ({@code transport-type=redis}).
 * Implementations are thread-safe, bound their waiting, and report failures as
 * {@link AuthorizationException}.
 */
interface AnswerStore extends AutoCloseable {

    /** The JSON recorded for {@code id}, or empty when there is none. */
    Optional<byte[]> get(FileId id) throws AuthorizationException;

    /** Records {@code json} for {@code id}, replacing what was there, in one step. */
    void put(FileId id, byte[] json) throws AuthorizationException;

    /** Forgets {@code id}; nothing happens when nothing was recorded. */
    void remove(FileId id) throws AuthorizationException;

    /** For log lines and failures, e.g. {@code redis:127.0.0.1:6379}. */
    String describe();

    @Override
    default void close() {
    }
}
