package io.keyhole;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.keyhole.http.FormField;
import io.keyhole.http.FormReader;
import io.keyhole.http.MalformedFormException;
import io.keyhole.http.MultipartForm;
import io.keyhole.http.UrlEncodedForm;
import io.keyhole.internal.JsonFactories;
import io.keyhole.internal.Logs;
import io.keyhole.storage.Storage;
import io.keyhole.tree.FileStore;
import io.keyhole.tree.FileTooLargeException;
import io.keyhole.tree.Store;
import io.keyhole.tree.Upload;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Uploads and deletes over HTTP, the write side of {@link Keyhole#decide}: {@code POST} to the
 * mount stores the form's file {@code d} and then asks the backend, {@code PUT} of
 * {@code <mount><id>} writes the new content beside the file, asks the backend and then puts it
 * in place in one step, {@code DELETE} of {@code <mount><id>} asks the backend and then removes
 * the file. With {@code pl} and {@code ext} a {@code POST} stores a pack member, {@code <pl>.<ext>}.
 *
 * <p>The order keeps tree and backend in step: an upload is written before the backend records
 * it, and removed again when the backend says no, so a recorded id always has its file and a
 * refused upload leaves nothing behind. A backend that took the question but did not answer
 * within {@code auth-timeout} may still have recorded the id, so then the file stays and the log
 * names it; a backend that could not be reached, answered nonsense or failed its statement
 * recorded nothing, and the file is removed. A backend must therefore never record an upload
 * and then answer nonsense. A caller who could never be allowed is refused
 * before a byte of the body is read. Thread-safe.
 */
final class Writes {

    private static final System.Logger LOG = Logs.of(Writes.class);
    private static final JsonFactory JSON = JsonFactories.create();

    /** Allow of a read-only mount. */
    static final String READ_ONLY_METHODS = "GET, HEAD";
    /** Allow of a mount that takes uploads and deletes. */
    static final String ALL_METHODS = "GET, HEAD, POST, PUT, DELETE";
    /** A bucket replaces no file: its stores only ever write new ids. */
    static final String BUCKET_METHODS = "GET, HEAD, POST, DELETE";
    /** Room in a multipart body beyond the file: boundaries, part headers and the small fields. */
    static final long FORM_OVERHEAD = 64 * 1024;
    /** Longest value of {@code n}, {@code ct} and {@code cd}. */
    static final int MAX_FIELD_BYTES = 4096;
    private static final String DEFAULT_FILENAME = "file";

    private final KeyholeConfig config;
    private final Uploads uploads;
    private final Gate gate;
    /** {@code null} exactly when the mount is read-only. */
    private final Store store;
    /** What downloads read: told of every file written or deleted here. */
    private final Storage storage;

    Writes(KeyholeConfig config, Gate gate, Store store, Storage storage) {
        this.config = Objects.requireNonNull(config, "config");
        this.uploads = Objects.requireNonNull(config.uploads(), "uploads");
        this.gate = Objects.requireNonNull(gate, "gate");
        if (uploads.readOnly() != (store == null)) {
            throw new IllegalArgumentException(uploads.readOnly() ? "a read-only mount has no store"
                    : "accepting uploads needs a store");
        }
        this.store = store;
        this.storage = Objects.requireNonNull(storage, "storage");
    }

    /** The methods the mount answers, for the {@code Allow} header of a 405. */
    String allowedMethods() {
        return uploads.readOnly() ? READ_ONLY_METHODS : store instanceof FileStore ? ALL_METHODS : BUCKET_METHODS;
    }

    /**
     * Decides a {@code POST} or {@code DELETE} below the mount. Never throws for anything the client sent.
     *
     * @param rest the path after the mount: empty for an upload, the id for a delete
     */
    Delivery decide(RequestView request, String rest) {
        if (uploads.readOnly()) {
            return reply(405, "method not allowed: this mount is read-only", new NameValue("Allow", READ_ONLY_METHODS));
        }
        boolean upload = request.method().equals("POST");
        boolean replace = request.method().equals("PUT");

        // 1 route: uploads go to the mount itself, deletes to one file below it
        FileId id = config.tree().idOf(rest).orElse(null);
        // a bucket replaces no file (its stores write new ids only): refused before the body is read
        String onFile = store instanceof FileStore ? "GET, HEAD, PUT, DELETE" : "GET, HEAD, DELETE";
        if (upload && !rest.isEmpty()) {
            return id != null ? reply(405, "method not allowed: upload to " + config.mount(),
                    new NameValue("Allow", onFile)) : notFound();
        }
        if (!upload && id == null) {
            return notFound();
        }
        if (replace && !(store instanceof FileStore)) {
            return reply(405, "method not allowed: PUT replaces files of storage=local only; this mount keeps"
                    + " its files in " + store, new NameValue("Allow", onFile));
        }

        // 2 credential; a caller that no answer could allow is refused before the body is read or the disk touched
        Gate.Caller caller = gate.caller(request, upload ? config.mount() : id.toString());
        if (caller instanceof Gate.Caller.Refused refused) {
            return refused.delivery();
        }
        String authValue = ((Gate.Caller.Known) caller).authValue();
        Delivery anonymous = gate.refuseAnonymous(authValue,
                upload || replace ? uploads.uploadMatrix() : uploads.deleteMatrix());
        if (anonymous != null) {
            return anonymous;
        }
        return upload || replace ? upload(request, authValue, replace ? id : null) : delete(request, id, authValue);
    }

    // ---- uploads ----------------------------------------------------------------------------

    /** @param replacing the file a {@code PUT} replaces, {@code null} for a new upload */
    private Delivery upload(RequestView request, String authValue, FileId replacing) {
        String contentType = request.first("Content-Type");
        String type = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        boolean multipart = type.equals("multipart/form-data");
        if (!multipart && !type.equals("application/x-www-form-urlencoded")) {
            return reply(415, "send the file as multipart/form-data (field d) or application/x-www-form-urlencoded",
                    new NameValue("Accept-Post", "multipart/form-data, application/x-www-form-urlencoded"));
        }
        long max = uploads.maxSize();
        // Percent-encoding triples a byte at most.
        long encoded = multipart ? max : max > Long.MAX_VALUE / 3 ? Long.MAX_VALUE : max * 3;
        long bodyLimit = saturatedAdd(encoded, FORM_OVERHEAD);
        if (declaredLength(request) > bodyLimit) {
            return tooLarge();
        }

        Received received;
        try {
            RequestBody body = new RequestBody(request.body(), bodyLimit);
            FormReader form = multipart ? MultipartForm.of(contentType, body) : new UrlEncodedForm(body);
            received = receive(form, authValue, replacing);
        } catch (FileAlreadyExistsException e) {
            return reply(409, "that pack member exists; PUT replaces it");
        } catch (NoSuchFileException e) {
            return notFound();
        } catch (FileTooLargeException | RequestBody.TooLarge e) {
            return tooLarge();
        } catch (MalformedFormException | BadUpload e) {
            LOG.log(Level.DEBUG, "refused an upload to {0}: {1}", config.mount(), e.getMessage());
            return reply(400, "bad upload: " + e.getMessage());
        } catch (RequestBody.Unreadable e) {
            LOG.log(Level.DEBUG, "upload to {0} broke off: {1}", config.mount(), e.getMessage());
            return reply(400, "the request body could not be read");
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "cannot store an upload in " + store, e);
            return Deliveries.storageFailed(e, "the upload could not be stored");
        }

        // 3 authorise: the backend learns the new id and its metadata, and records them or refuses
        StoredMetadata stored = received.stored();
        FileId id = stored.id();
        String uri = config.mount() + id;
        try (FileStore.Replacement replacement = received.replacement()) {
            Gate.Verdict verdict = gate.authorise(gate.question(request, uri, id, authValue, stored),
                    uploads.uploadMatrix(), replacement == null ? 201 : 200);
            forget(id);
            if (verdict instanceof Gate.Verdict.Refused refused) {
                if (replacement == null && refused.unanswered()) {
                    // The backend may have recorded the id and been slow to say so (a commit, then the
                    // timeout): the file stays, so that a recorded id always has its file.
                    LOG.log(Level.WARNING, "kept upload {0} ({1} bytes) although the backend did not answer in time:"
                            + " it may have recorded it. If it has no record of {0}, remove the file: keyhole rm {0}",
                            id, Long.toString(stored.size()));
                } else if (replacement == null) {
                    remove(id, "its upload was not recorded");
                }
                return refused.delivery();
            }
            // 4 a replacement takes the file's place only now, in one step
            if (replacement != null) {
                replacement.commit();
                forget(id);
            }
        } catch (NoSuchFileException e) {
            return notFound();
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot replace " + config.tree().relativePathOf(id) + " below " + config.tree().root(), e);
            return reply(500, "the file could not be replaced");
        }
        LOG.log(Level.DEBUG, "stored {0} {1} ({2} bytes)", replacing == null ? "upload" : "replacement", id, stored.size());
        if (config.interop().moduleUploadAnswer()) {
            return new Delivery.Reply(200, List.of(new NameValue("Cache-Control", "no-store")), id.value());
        }
        return new Delivery.Reply(replacing == null ? 201 : 200, List.of(
                new NameValue("Location", request.contextPath() + uri),
                new NameValue("Content-Type", "application/json"),
                new NameValue("Cache-Control", "no-store")), json(stored));
    }

    /** What a form brought: the file as stored, and for a {@code PUT} the replacement waiting to take its place. */
    private record Received(StoredMetadata stored, FileStore.Replacement replacement) {
    }

    /** What the form says of the upload; fields may come before or after the file. */
    private static final class Fields {
        String name;
        String type;
        Disposition disposition;
        /** The file part's own file name and Content-Type. */
        String partName;
        String partType;
        /** {@code pl} and {@code ext}: the pack leader and the member's extension. */
        String leader;
        String extension;
    }

    /** The local tree's store, for what only it can do; a bucket refuses it as a bad request. */
    private FileStore local(String what) throws BadUpload {
        if (store instanceof FileStore files) {
            return files;
        }
        throw new BadUpload(what + " needs storage=local; this mount keeps its files in " + store);
    }

    /** A form that is well-formed but not an upload Keyhole can take. */
    private static final class BadUpload extends IOException {
        private static final long serialVersionUID = 1L;

        BadUpload(String message) {
            super(message);
        }
    }

    /** Reads the form, storing its file as it arrives; on any failure nothing stays stored. */
    private Received receive(FormReader form, String authValue, FileId replacing) throws IOException {
        String user = authValue != null ? authValue : "";
        Fields fields = new Fields();
        StoredMetadata stored = null;
        // where a new upload is stored so far, to be removed on failure
        FileId kept = null;
        FileStore.Replacement replacement = null;
        try {
            for (FormField field; (field = form.next()) != null; ) {
                switch (field.name()) {
                    case "d" -> {
                        if (stored != null) {
                            throw new BadUpload("the form carries more than one file d; send one per request");
                        }
                        fields.partName = field.filename();
                        fields.partType = field.contentType();
                        if (replacing == null) {
                            stored = store.store(field.content(), upload(user, fields));
                            kept = stored.id();
                        } else {
                            replacement = local("replacing a file (PUT)").prepareReplacement(replacing, field.content(), upload(user, fields));
                            stored = replacement.metadata();
                        }
                    }
                    case "n" -> fields.name = once(fields.name, "n", field.text(MAX_FIELD_BYTES));
                    case "ct" -> fields.type = once(fields.type, "ct", field.text(MAX_FIELD_BYTES).strip());
                    case "cd" -> fields.disposition = once(fields.disposition, "cd", disposition(field.text(MAX_FIELD_BYTES)));
                    case "pl", "ext" -> {
                        if (replacing != null) {
                            throw new BadUpload("fields pl and ext make a new pack member with POST; PUT replaces"
                                    + " the file it names");
                        }
                        String text = field.text(FileId.MAX_LENGTH).strip();
                        if (field.name().equals("pl")) {
                            fields.leader = once(fields.leader, "pl", text);
                        } else {
                            fields.extension = once(fields.extension, "ext", text);
                        }
                    }
                    default -> {
                        // other fields of the page's form (a submit button, a CSRF token) are none of ours
                    }
                }
            }
            if (stored == null) {
                throw new BadUpload("the form has no file: send it in field d");
            }
            if (fields.leader != null || fields.extension != null) {
                FileId member = packMember(fields);
                local("pack members (fields pl and ext)").rename(kept, member);
                kept = member;
            }
            // Fields after the file may still name it: the id stays, the recorded metadata follows them.
            Upload last = upload(user, fields);
            String type = last.effectiveContentType();
            // A document that can run script is downloaded, never shown in the site's origin.
            Disposition disposition = !config.activeContent().inlineActiveUploads() && ActiveContent.isActive(type)
                    ? Disposition.ATTACHMENT : last.disposition();
            StoredMetadata received = new StoredMetadata(replacing != null ? replacing : kept, stored.size(),
                    stored.etag(), stored.uploadDate(), type, last.filename(), disposition);
            return new Received(received, replacement);
        } catch (IOException | RuntimeException e) {
            if (kept != null) {
                remove(kept, "its upload failed");
            }
            if (replacement != null) {
                replacement.close();
            }
            throw e;
        }
    }

    /** The member {@code <pl>.<ext>} the form names, with both fields required and checked. */
    private FileId packMember(Fields fields) throws BadUpload {
        if (fields.leader == null || fields.extension == null) {
            throw new BadUpload("fields pl and ext go together: pl the leader's id, ext the member's extension");
        }
        FileId member;
        try {
            member = FileId.parse(fields.leader).member(fields.extension);
        } catch (IllegalArgumentException e) {
            throw new BadUpload("fields pl and ext: " + e.getMessage());
        }
        if (config.tree().idOf(member.value()).isEmpty()) {
            throw new BadUpload("fields pl and ext: " + member + " is no id this tree can hold");
        }
        return member;
    }

    /**
     * The upload as the form describes it so far: name {@code n}, else the file part's name, else
     * {@code file}; type {@code ct}, else the file part's own (unless it only says "bytes"), else
     * what the name suggests; disposition {@code cd}, else inline.
     */
    private static Upload upload(String user, Fields fields) throws BadUpload {
        String name = fields.name != null && !fields.name.isEmpty() ? fields.name
                : fields.partName != null ? fields.partName : DEFAULT_FILENAME;
        Upload upload = Upload.of(name).withUser(user);
        if (fields.disposition != null) {
            upload = upload.withDisposition(fields.disposition);
        }
        if (fields.type != null) {
            try {
                return upload.withContentType(fields.type);
            } catch (IllegalArgumentException e) {
                throw new BadUpload("field ct: " + e.getMessage());
            }
        }
        String partType = fields.partType;
        if (partType != null && !partType.isEmpty() && !partType.regionMatches(true, 0, "application/octet-stream", 0, 24)) {
            try {
                return upload.withContentType(partType);
            } catch (IllegalArgumentException e) {
                // A browser's guess that is not a media type is no statement: the name decides.
            }
        }
        return upload;
    }

    private static Disposition disposition(String text) throws BadUpload {
        try {
            return Disposition.parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadUpload("field cd must be inline or attachment");
        }
    }

    private static <T> T once(T previous, String field, T value) throws BadUpload {
        if (previous != null) {
            throw new BadUpload("field " + field + " appears twice");
        }
        return value;
    }

    /** The answer's body: the new id and what was recorded, with the wire's field names. */
    private static String json(StoredMetadata stored) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("file_id", stored.id().value());
            json.writeStringField("filename", stored.filename());
            json.writeStringField("content_type", stored.contentType());
            json.writeStringField("content_disposition", stored.disposition().wireValue());
            json.writeStringField("etag", stored.etag());
            json.writeNumberField("length", stored.size());
            json.writeNumberField("upload_date", stored.uploadDateSeconds());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return out.toString();
    }

    // ---- deletes ----------------------------------------------------------------------------

    private Delivery delete(RequestView request, FileId id, String authValue) {
        // 3 authorise: the backend forgets the file first, so no recorded id is ever left without its file
        Gate.Verdict verdict = gate.authorise(gate.question(request, request.path(), id, authValue, null),
                uploads.deleteMatrix(), 204);
        if (verdict instanceof Gate.Verdict.Refused refused) {
            return refused.delivery();
        }
        forget(id);
        // 4 the first disk access, and only now
        try {
            if (!store.delete(id)) {
                return notFound();
            }
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot delete " + config.tree().relativePathOf(id) + " in " + store, e);
            return Deliveries.storageFailed(e, "the file could not be deleted");
        }
        LOG.log(Level.DEBUG, "deleted {0}", id);
        return new Delivery.Reply(204, List.of(new NameValue("Cache-Control", "no-store")), null);
    }

    // ---- shared -----------------------------------------------------------------------------

    /** The file {@code id} changed here: a remembered decision about it, or a file kept open, no longer holds. */
    private void forget(FileId id) {
        DecisionCache decisions = gate.decisions();
        if (decisions != null) {
            decisions.revoke(id);
        }
        storage.forget(config.tree().relativePathOf(id));
    }

    /** Takes a stored file back out of the tree; a failure is logged, since the answer is decided already. */
    private void remove(FileId id, String why) {
        try {
            store.delete(id);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "cannot remove " + config.tree().relativePathOf(id) + " in " + store
                    + " after " + why + "; remove it by hand (keyhole rm " + id + ")", e);
        }
    }

    /** The declared Content-Length, or -1 when there is none (a chunked body) or it is unreadable. */
    private static long declaredLength(RequestView request) {
        String value = request.first("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < a ? Long.MAX_VALUE : sum;
    }

    private Delivery tooLarge() {
        return reply(413, "the upload is larger than the limit of " + uploads.maxSize() + " bytes");
    }


    private static Delivery notFound() {
        return Deliveries.notFound();
    }

    private static Delivery reply(int status, String message, NameValue... extra) {
        return Deliveries.reply(status, message, extra);
    }
}
