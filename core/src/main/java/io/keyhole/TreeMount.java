package io.keyhole;

import io.keyhole.internal.Logs;
import io.keyhole.storage.LocalStorage;
import io.keyhole.storage.OpenedFile;
import io.keyhole.storage.Prefetch;
import io.keyhole.storage.Storage;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;

/**
 * A hashed tree below the mount: the path names a file id, the gate asks the backend, and only a
 * granted download touches the disk. Uploads and deletes go through the same gate ({@link Writes}).
 * Thread-safe.
 */
final class TreeMount implements Mount {

    private static final System.Logger LOG = Logs.of(TreeMount.class);
    private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
    private static final String DEFAULT_FILENAME = "file";
    /** Opens of a name that keeps changing before it is answered 404. */
    private static final int OPEN_ATTEMPTS = 3;

    private final HashedTree tree;
    private final Storage storage;
    private final KeyholeConfig config;
    private final Gate gate;
    private final Deliveries deliveries;
    private final Writes writes;
    /** The local tree: opens of a name being replaced are tried again, and it takes no prefetch hint. */
    private final boolean local;

    TreeMount(KeyholeConfig config, Storage storage, Gate gate, Deliveries deliveries, Writes writes) {
        this.storage = storage;
        this.config = config;
        this.tree = config.tree();
        this.gate = gate;
        this.deliveries = deliveries;
        this.writes = writes;
        this.local = storage instanceof LocalStorage;
    }

    @Override
    public Delivery decide(RequestView request, String rest) {
        String method = request.method();
        if (method.equals("POST") || method.equals("PUT") || method.equals("DELETE")) {
            return writes.decide(request, rest);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Deliveries.reply(405, "method not allowed", new NameValue("Allow", writes.allowedMethods()));
        }

        // 1 route: the id, or 404 with no question asked and no disk touched
        Optional<FileId> named = tree.idOf(rest);
        if (named.isEmpty()) {
            return Deliveries.notFound();
        }
        FileId id = named.get();

        // 2 credential
        Gate.Caller caller = gate.caller(request, id.toString());
        if (caller instanceof Gate.Caller.Refused refused) {
            return refused.delivery();
        }
        String authValue = ((Gate.Caller.Known) caller).authValue();

        // 3 authorise
        Gate.Verdict verdict = gate.authorise(gate.question(request, request.path(), id, authValue, null),
                config.downloadMatrix(), 200);
        if (verdict instanceof Gate.Verdict.Refused refused) {
            return refused.delivery();
        }
        Gate.Verdict.Granted granted = (Gate.Verdict.Granted) verdict;
        AuthResponse answer = granted.answer();

        // 4 open: the first access to the storage, and only now; what is opened is what gets served
        String what = id.toString();
        Deliveries.Presentation presented = granted.presentation().get();
        if (presented == null) {
            // once per backend answer: a remembered decision brings it back built
            presented = present(answer, what);
            granted.presentation().set(presented);
        }
        String relativePath = tree.relativePathOf(id);
        if (config.delivery() == DeliveryMode.REDIRECT) {
            return deliveries.presigned(storage, relativePath, presented.contentType(), presented.attachment(),
                    presented.filename());
        }
        OpenedFile file;
        try {
            // the local tree reads no hint: no header is looked at for one
            Prefetch prefetch = local ? Prefetch.METADATA : deliveries.prefetch(request);
            Optional<OpenedFile> found = open(relativePath, prefetch);
            if (found.isEmpty() && id.isPackMember()) {
                // a member not made (yet) is served as its leader, e.g. a variant of an image
                found = open(tree.relativePathOf(id.leader().orElseThrow()), prefetch);
            }
            if (found.isEmpty()) {
                return Deliveries.notFound();
            }
            file = found.get();
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot read " + relativePath + " from " + storage.describe(), e);
            return Deliveries.storageFailed(e, "file cannot be read");
        }
        if (answer.length() != null && answer.length() != file.size()) {
            LOG.log(Level.WARNING, "backend says {0} has {1} bytes, the file has {2}; sending the file''s size",
                    id, answer.length(), file.size());
        }

        // 5 evaluate
        return deliveries.file(request, new Deliveries.Found(what, file, presented, List.of()));
    }

    /** How the backend's {@code answer} presents the file: its type, name, disposition, date and tag, checked. */
    private Deliveries.Presentation present(AuthResponse answer, String what) {
        return deliveries.present(
                Deliveries.headerValue(answer.contentType(), DEFAULT_CONTENT_TYPE, "content_type", what),
                Deliveries.filename(answer.filename(), DEFAULT_FILENAME, what),
                "attachment".equalsIgnoreCase(answer.contentDisposition()),
                Deliveries.uploadDate(answer.uploadDate(), what), Deliveries.backendTag(answer.etag()));
    }

    /**
     * Opens the file at {@code path}. The storage refuses a name that changed while it was opened;
     * a replace ({@code PUT}) renames new content over the name, so a refused open is tried again:
     * the new content is as whole as the old.
     */
    private Optional<OpenedFile> open(String path, Prefetch prefetch) throws IOException {
        // A bucket's object is replaced in one step and never seen half-way: one request says it is missing.
        int attempts = local ? OPEN_ATTEMPTS : 1;
        for (int attempt = 1; ; attempt++) {
            Optional<OpenedFile> found = storage.open(path, prefetch);
            if (found.isPresent() || attempt == attempts) {
                return found;
            }
        }
    }
}
