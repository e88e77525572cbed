package io.keyhole.authorizer;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.FileId;
import io.keyhole.tree.MetaFiles;
import java.io.IOException;
import java.util.Optional;

/** The {@code .meta} files beside the tree's files, as an {@link AnswerStore}. */
final class MetaFileStore implements AnswerStore {

    private final MetaFiles files;
    private final String description;

    MetaFileStore(MetaFiles files) {
        this.files = files;
        this.description = "internal:" + files.tree().root();
    }

    @Override
    public Optional<byte[]> get(FileId id) throws AuthorizationException {
        long start = System.nanoTime();
        try {
            return files.read(id);
        } catch (IOException e) {
            throw fail(start, "cannot read the metadata of " + id, e);
        }
    }

    @Override
    public void put(FileId id, byte[] json) throws AuthorizationException {
        long start = System.nanoTime();
        try {
            files.write(id, json);
        } catch (IOException e) {
            throw fail(start, "cannot write the metadata of " + id, e);
        }
    }

    @Override
    public void remove(FileId id) throws AuthorizationException {
        long start = System.nanoTime();
        try {
            files.delete(id);
        } catch (IOException e) {
            throw fail(start, "cannot remove the metadata of " + id, e);
        }
    }

    private AuthorizationException fail(long start, String what, IOException e) {
        return new AuthorizationException(Kind.UNAVAILABLE, description, Limits.elapsedMillis(start),
                what + ": " + StreamExchange.reason(e), e);
    }

    @Override
    public String describe() {
        return description;
    }
}
