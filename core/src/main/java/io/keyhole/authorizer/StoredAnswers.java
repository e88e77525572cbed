package io.keyhole.authorizer;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;
import io.keyhole.Authorizer;
import io.keyhole.FileId;
import java.util.Objects;
import java.util.Optional;

/**
 * An authoriser with no backend process: each file's upload question is recorded when it is
 * uploaded or replaced, and read back as the answer when it is downloaded — from a {@code .meta}
 * file beside it ({@code request-type=internal}) or from Redis ({@code transport-type=redis}).
 *
 * <ul>
 *   <li>{@code GET}/{@code HEAD}: the recorded answer (a pack member without one of its own has its
 *       leader's); nothing recorded → 404. The gate then applies the owner comparison: another
 *       user's request makes the answer count as empty, so the default matrix lets only the owner read.</li>
 *   <li>{@code POST}: records the question, {@code auth_value} included, when {@code matrix-upload}
 *       allows it. A pack member needs its leader recorded (404) and owned by the uploader (403).</li>
 *   <li>{@code PUT}: nothing recorded → 404; recorded for another owner → 403 (an empty answer
 *       would let anyone with a credential replace it under the default upload matrix);
 *       otherwise records the new question.</li>
 *   <li>{@code DELETE}: nothing recorded → 404; forgets the record when {@code matrix-delete} allows
 *       the request, before the file goes, so a file never outlives its owner's record unnoticed.</li>
 * </ul>
 *
 * Thread-safe; a cache in front of {@code .meta} files is updated by this instance's own writes only.
 */
final class StoredAnswers implements Authorizer, AutoCloseable {

    private static final JsonRequestType JSON = new JsonRequestType(JsonRequestType.Fields.LATER);

    private final AnswerStore store;
    private final AnswerCache cache;
    private final AuthMatrix uploadMatrix;
    private final AuthMatrix deleteMatrix;

    StoredAnswers(AnswerStore store, long cacheBytes, AuthMatrix uploadMatrix, AuthMatrix deleteMatrix) {
        this.store = Objects.requireNonNull(store, "store");
        this.cache = cacheBytes > 0 ? new AnswerCache(cacheBytes) : null;
        this.uploadMatrix = Objects.requireNonNull(uploadMatrix, "uploadMatrix");
        this.deleteMatrix = Objects.requireNonNull(deleteMatrix, "deleteMatrix");
    }

    @Override
    public AuthResponse authorize(AuthRequest request) throws AuthorizationException {
        FileId id = request.fileId();
        String who = request.authValue();
        switch (request.method()) {
            case "GET", "HEAD" -> {
                AuthResponse answer = recorded(id);
                if (answer == null && id.isPackMember()) {
                    answer = recorded(id.leader().orElseThrow());
                }
                return answer != null ? answer : AuthResponse.ofStatus(404);
            }
            case "POST" -> {
                if (id.isPackMember()) {
                    AuthResponse leader = recorded(id.leader().orElseThrow());
                    if (leader == null) {
                        return AuthResponse.ofStatus(404);
                    }
                    if (ownedByAnother(leader, who)) {
                        return AuthResponse.ofStatus(403);
                    }
                }
                return record(request);
            }
            case "PUT" -> {
                AuthResponse existing = recorded(id);
                if (existing == null) {
                    return AuthResponse.ofStatus(404);
                }
                return ownedByAnother(existing, who) ? AuthResponse.ofStatus(403) : record(request);
            }
            case "DELETE" -> {
                AuthResponse existing = recorded(id);
                if (existing == null) {
                    return AuthResponse.ofStatus(404);
                }
                boolean allowed = existing.status() != null
                        ? existing.status() == 200 || existing.status() == 204
                        : deleteMatrix.allows(who != null, existing.countsAsEmptyFor(who));
                if (allowed) {
                    forget(id);
                }
                return existing;
            }
            default -> {
                return AuthResponse.ofStatus(405);
            }
        }
    }

    /** Records an upload's question when the upload matrix allows its uploader; an empty answer otherwise. */
    private AuthResponse record(AuthRequest request) throws AuthorizationException {
        if (request.stored() == null || !uploadMatrix.allows(request.authValue() != null, false)) {
            return AuthResponse.EMPTY;
        }
        // Only the upload question's own fields: forwarded headers and cookies are no metadata.
        byte[] json = JSON.encode(new AuthRequest(request.uri(), request.fileId(), request.method(),
                request.authValue(), null, null, request.stored()));
        AuthResponse answer = JSON.decode(json, store.describe(), 0);
        store.put(request.fileId(), json);
        if (cache != null) {
            cache.put(request.fileId(), answer, json.length);
        }
        return answer;
    }

    private void forget(FileId id) throws AuthorizationException {
        if (cache != null) {
            cache.remove(id);
        }
        store.remove(id);
        if (cache != null) {
            // a reader may have cached it again between the two steps
            cache.remove(id);
        }
    }

    /** The recorded answer for {@code id}, or {@code null}. */
    private AuthResponse recorded(FileId id) throws AuthorizationException {
        if (cache != null) {
            AuthResponse hit = cache.get(id);
            if (hit != null) {
                return hit;
            }
        }
        long start = System.nanoTime();
        Optional<byte[]> json = store.get(id);
        if (json.isEmpty()) {
            return null;
        }
        AuthResponse answer = JSON.decode(json.get(), store.describe(), Limits.elapsedMillis(start));
        if (cache != null) {
            cache.put(id, answer, json.get().length);
        }
        return answer;
    }

    private static boolean ownedByAnother(AuthResponse recorded, String who) {
        return recorded.authValue() != null && !recorded.authValue().equals(who);
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return store.describe() + (cache != null ? " (cache " + cache.capacity() + " bytes)" : "");
    }
}
