package io.keyhole.internal.s3;

import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import io.keyhole.http.HttpDate;
import io.keyhole.storage.OpenedFile;
import io.keyhole.storage.Prefetch;
import io.keyhole.storage.Storage;
import io.keyhole.storage.StorageProvider;
import io.keyhole.tree.FileIds;
import io.keyhole.tree.FileStore;
import io.keyhole.tree.FileTooLargeException;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.Store;
import io.keyhole.tree.TreeCheck;
import io.keyhole.tree.TreeProblem;
import io.keyhole.tree.Upload;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The hashed tree kept in an S3-compatible bucket: the object {@code <s3-prefix>a/b/c/d/<id>}
 * is the file {@code a/b/c/d/<id>}, so a tree copied into a bucket needs no renaming.
 *
 * <p>Reading: one request per download where possible. {@link #open(String, Prefetch)} asks for
 * what the request will most likely send (a {@code GET}, ranged when one range is asked for) and
 * keeps the answer's body for the renderer; a {@code HEAD} when only the metadata is wanted.
 * Nothing is held in the heap: bodies are streamed from the connection, except, with
 * {@code open-cache-valid}, small objects asked for whole, which are read into memory and kept for
 * later requests ({@link KeptObjects}).
 *
 * <p>Writing: content up to {@link #PART_SIZE} goes in one {@code PUT}, larger content as a
 * multipart upload of parts of that size, aborted on any failure so nothing is left behind. New
 * ids are claimed so that two instances never take one: with {@code s3-claim=conditional} a
 * {@code PUT} (or the multipart completion) carries {@code If-None-Match: *} and a 412 moves on to
 * the next {@code .N}; with {@code s3-claim=instance} (stores that ignore the condition) the
 * text an id is hashed from carries, besides name, time, user and instance, 128 random bits drawn
 * when the store starts and a counter of its uploads, so no two uploads anywhere hash the same
 * text, and no request is needed to claim the id.
 *
 * <p>Thread-safe.
 */
final class BucketStorage implements Storage, Store {

    private static final System.Logger LOG = System.getLogger(BucketStorage.class.getName());

    /** Parts of a multipart upload, and the most one upload holds in the heap; S3's least part is 5 MiB. */
    static final int PART_SIZE = 8 << 20;
    private static final int MAX_COUNTER = 1000;
    /** The object {@code keyhole init} leaves under the prefix: the tree's depth, skipped by {@code fsck}. */
    static final String MARKER = ".keyhole-tree";
    /** A multipart upload older than this is no longer being written: no part takes a day. */
    static final Duration ABANDONED = Duration.ofHours(24);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18})");
    /** The code in an S3 error answer's XML body, e.g. {@code <Code>AccessDenied</Code>}. */
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([A-Za-z0-9.]{1,64})</Code>");

    private final BucketSettings settings;
    /** The tree's layout (an id's directories); its root is never used, the bucket is. */
    private final HashedTree layout;
    private final S3Client s3;
    private final S3Presigner presigner;
    /** The download path: GET and HEAD signed here, on pooled connections. */
    private final BucketReads reads;
    /** {@code null} when the mount is read-only. */
    private final FileIds ids;
    private final Clock clock;
    private final long maxSize;
    /** Keys being written by this process, so two of its uploads never claim one id. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /**
     * With {@code s3-claim=instance}: the instance name, 128 random bits drawn at start and a
     * counter; no other process and no other upload of this one ever hashes the same text.
     */
    private final String unique;
    private final AtomicLong uploads = new AtomicLong();
    /** Small objects kept between requests; {@code null} when none are ({@code open-cache-valid=0}). */
    private final KeptObjects kept;

    /**
     * @param kept where small objects are kept between requests, or {@code null} for nowhere
     */
    BucketStorage(BucketSettings settings, int depth, StorageProvider.Writes writes, KeptObjects kept) {
        this.settings = settings;
        this.kept = kept;
        this.layout = new HashedTree(Path.of(""), depth);
        this.s3 = settings.client();
        S3Presigner signer;
        try {
            signer = settings.presigner();
        } catch (RuntimeException e) {
            s3.close();
            throw e;
        }
        this.presigner = signer;
        this.reads = settings.reads(s3);
        if (writes != null) {
            this.ids = new FileIds(writes.instance(), writes.clock());
            this.unique = writes.instance() + "#" + HexFormat.of().formatHex(randomBytes()) + "#";
            this.clock = writes.clock();
            this.maxSize = writes.maxSize();
        } else {
            this.ids = null;
            this.unique = null;
            this.clock = Clock.systemUTC();
            this.maxSize = 0;
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return b;
    }

    String key(String relativePath) {
        return settings.prefix() + relativePath;
    }

    @Override
    public Optional<OpenedFile> open(String relativePath) throws IOException {
        return open(relativePath, Prefetch.METADATA);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: with {@code open-cache-valid}, an object kept from an earlier download is served
     * from memory without a request, whatever the hint; one asked for whole that
     * {@linkplain KeptObjects#fits fits} is read whole and kept.
     */
    @Override
    public Optional<OpenedFile> open(String relativePath, Prefetch prefetch) throws IOException {
        checkRelative(relativePath);
        long stamp = 0;
        if (kept != null) {
            KeptObjects.Kept k = kept.get(relativePath);
            if (k != null) {
                return Optional.of(new KeptFile(relativePath, k.bytes(), k.lastModified()));
            }
            stamp = kept.stamp();
        }
        String key = key(relativePath);
        if (prefetch instanceof Prefetch.Metadata) {
            return head(relativePath, key);
        }
        String range = prefetch instanceof Prefetch.Bytes bytes ? "bytes=" + bytes.spec() : null;
        long start = System.nanoTime();
        BucketHttp.Answer r = send("GET", key, range, null, start);
        if (r.status == 404) {
            return Optional.empty();
        }
        if (r.status == 416 && range != null) {
            // Not satisfiable: the 416 needs the size, which only a HEAD tells.
            return head(relativePath, key);
        }
        if (r.status != 200 && r.status != 206) {
            throw failed("GET", key, start, r);
        }
        try {
            long size = r.contentLength;
            long first = 0;
            if (r.status == 206) {
                Matcher m = r.contentRange == null ? null : CONTENT_RANGE.matcher(r.contentRange);
                if (m == null || !m.matches() || Long.parseLong(m.group(2)) - Long.parseLong(m.group(1)) + 1 != r.contentLength) {
                    throw new IOException("GET " + key + " at " + settings.describe() + " answered 206 with Content-Range '"
                            + r.contentRange + "' for " + r.contentLength + " bytes");
                }
                first = Long.parseLong(m.group(1));
                size = Long.parseLong(m.group(3));
            } else if (kept != null && kept.fits(size)) {
                return Optional.of(keep(relativePath, key, r, stamp));
            }
            return Optional.of(new BucketFile(this, relativePath, key, size, lastModified(key, r), etag(key, r), r.body(),
                    first, r.contentLength));
        } catch (IOException | RuntimeException e) {
            r.body().close();
            throw e;
        }
    }

    /** Reads the whole body of {@code r} and keeps it unless something was forgotten since {@code stamp}. */
    private KeptFile keep(String relativePath, String key, BucketHttp.Answer r, long stamp) throws IOException {
        Instant date = lastModified(key, r);
        String etag = etag(key, r);
        byte[] bytes;
        try (InputStream body = r.body()) {
            // the body ends early only with an EOFException: a short object is never kept
            bytes = body.readNBytes((int) r.contentLength);
        }
        kept.keep(relativePath, bytes, date, etag, stamp);
        return new KeptFile(relativePath, bytes, date);
    }

    private Optional<OpenedFile> head(String relativePath, String key) throws IOException {
        long start = System.nanoTime();
        BucketHttp.Answer r = send("HEAD", key, null, null, start);
        if (r.status == 404) {
            return Optional.empty();
        }
        if (r.status != 200 || r.contentLength < 0) {
            throw failed("HEAD", key, start, r);
        }
        return Optional.of(new BucketFile(this, relativePath, key, r.contentLength, lastModified(key, r), etag(key, r),
                null, 0, 0));
    }

    /** The bytes {@code first..last} of {@code key}, only while its ETag is still {@code etag}. */
    InputStream get(String key, long first, long last, String etag) throws IOException {
        long start = System.nanoTime();
        BucketHttp.Answer r = send("GET", key, "bytes=" + first + "-" + last, etag, start);
        if (r.status == 412 || r.status == 404) {
            throw new IOException(key + " in " + settings.describe() + " was replaced or deleted while it was sent");
        }
        if (r.status != 206 || r.contentLength != last - first + 1) {
            if (r.body() != null) {
                r.body().close();
            }
            throw r.status == 206 ? new IOException("GET " + key + " at " + settings.describe() + " answered "
                    + r.contentLength + " bytes for the range " + first + "-" + last) : failed("GET", key, start, r);
        }
        return r.body();
    }

    private BucketHttp.Answer send(String method, String key, String range, String ifMatch, long start)
            throws IOException {
        try {
            return reads.send(method, key, range, ifMatch);
        } catch (IOException e) {
            throw Failures.transport(method + " " + key, settings, start, e);
        }
    }

    private IOException failed(String method, String key, long start, BucketHttp.Answer r) {
        Matcher code = ERROR_CODE.matcher(r.errorBody);
        return Failures.status(method + " " + key, settings, start, r.status, code.find() ? code.group(1) : null, null);
    }

    private Instant lastModified(String key, BucketHttp.Answer r) throws IOException {
        Optional<Instant> date = r.lastModified == null ? Optional.empty() : HttpDate.parse(r.lastModified);
        if (date.isEmpty()) {
            throw new IOException(key + " at " + settings.describe() + " came with Last-Modified '"
                    + (r.lastModified == null ? "" : r.lastModified.replaceAll("[^\\x20-\\x7e]", "?")) + "'");
        }
        return date.get();
    }

    /** The bucket's ETag, sent back in {@code If-Match}: visible ASCII only. */
    private String etag(String key, BucketHttp.Answer r) throws IOException {
        if (r.etag == null || r.etag.isEmpty() || !visibleAscii(r.etag)) {
            throw new IOException(key + " at " + settings.describe() + " came with ETag '"
                    + (r.etag == null ? "" : r.etag.replaceAll("[^\\x21-\\x7e]", "?")) + "'");
        }
        return r.etag;
    }

    @Override
    public Optional<URI> presignedGet(String relativePath, Duration ttl, String contentType, String contentDisposition) {
        checkRelative(relativePath);
        String key = key(relativePath);
        try {
            return Optional.of(presigner.presignGetObject(p -> p.signatureDuration(ttl).getObjectRequest(g -> g
                    .bucket(settings.bucket()).key(key)
                    .responseContentType(contentType)
                    .responseContentDisposition(contentDisposition)
                    .responseCacheControl("private"))).url().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("the SDK signed a URL that is no URI: " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return settings.describe();
    }

    @Override
    public String toString() {
        return "bucket " + settings.describe();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: an object kept in memory is dropped, and a read under way now is not kept.
     */
    @Override
    public void forget(String relativePath) {
        if (kept != null) {
            kept.forget(relativePath);
        }
    }

    @Override
    public void close() {
        if (kept != null) {
            kept.clear();
        }
        reads.close();
        presigner.close();
        s3.close();
    }

    // ---- writes -----------------------------------------------------------------------------

    @Override
    public StoredMetadata store(InputStream content, Upload upload) throws IOException {
        if (ids == null) {
            throw new IllegalStateException("this storage was started read-only");
        }
        MessageDigest digest = sha256();
        byte[] first = readPart(content, digest, 0, upload);
        Instant uploadDate;
        FileId base = settings.conditional() ? ids.newId(upload.filename(), upload.user())
                : FileIds.of(upload.filename(), clock.millis(), upload.user(), unique + uploads.incrementAndGet());
        String type = upload.effectiveContentType();
        if (first.length < PART_SIZE) {
            for (int n = -1; n < MAX_COUNTER; n++) {
                FileId id = n < 0 ? base : FileIds.withCounter(base, n);
                String key = key(layout.relativePathOf(id));
                if (!reserve(key)) {
                    continue;
                }
                try {
                    if (put(key, first, type)) {
                        uploadDate = clock.instant().truncatedTo(ChronoUnit.MILLIS);
                        return new StoredMetadata(id, first.length, FileStore.etagOf(digest.digest()), uploadDate,
                                type, upload.filename(), upload.disposition());
                    }
                } finally {
                    inFlight.remove(key);
                }
            }
            throw new IOException("cannot store: " + base + " and " + base + ".0 to ." + (MAX_COUNTER - 1)
                    + " are all taken in " + settings.describe());
        }
        return multipart(base, first, content, digest, upload, type);
    }

    /**
     * Reserves {@code key} for this process. Across processes the bucket decides
     * ({@code If-None-Match: *}), or, with {@code s3-claim=instance}, no other process can have
     * computed the same id.
     */
    private boolean reserve(String key) {
        return inFlight.add(key);
    }

    /** One {@code PUT}; {@code false} when the bucket says the name is taken (conditional claim). */
    private boolean put(String key, byte[] content, String type) throws IOException {
        long start = System.nanoTime();
        try {
            s3.putObject(b -> b.bucket(settings.bucket()).key(key).contentType(type).contentLength((long) content.length)
                    .ifNoneMatch(settings.conditional() ? "*" : null),
                    RequestBody.fromInputStream(new ByteArrayInputStream(content), content.length));
            return true;
        } catch (SdkException e) {
            if (settings.conditional() && Failures.preconditionFailed(e)) {
                return false;
            }
            throw Failures.of("PUT " + key, settings, start, e);
        }
    }

    private StoredMetadata multipart(FileId base, byte[] first, InputStream content, MessageDigest digest,
                                     Upload upload, String type) throws IOException {
        FileId id = null;
        String key = null;
        for (int n = -1; n < MAX_COUNTER && key == null; n++) {
            FileId candidate = n < 0 ? base : FileIds.withCounter(base, n);
            String k = key(layout.relativePathOf(candidate));
            if (reserve(k)) {
                id = candidate;
                key = k;
            }
        }
        if (key == null) {
            throw new IOException("cannot store: " + base + " and its .N names are all taken in " + settings.describe());
        }
        String uploadId = null;
        long start = System.nanoTime();
        String target = key;
        try {
            uploadId = s3.createMultipartUpload(b -> b.bucket(settings.bucket()).key(target).contentType(type)).uploadId();
            List<CompletedPart> parts = new ArrayList<>();
            long size = 0;
            byte[] part = first;
            for (int number = 1; part.length > 0; number++) {
                size += part.length;
                String uid = uploadId;
                int partNumber = number;
                byte[] bytes = part;
                String etag = s3.uploadPart(b -> b.bucket(settings.bucket()).key(target).uploadId(uid)
                                .partNumber(partNumber).contentLength((long) bytes.length),
                        RequestBody.fromInputStream(new ByteArrayInputStream(bytes), bytes.length)).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                part = readPart(content, digest, size, upload);
            }
            String uid = uploadId;
            s3.completeMultipartUpload(b -> b.bucket(settings.bucket()).key(target).uploadId(uid)
                    .multipartUpload(m -> m.parts(parts)).ifNoneMatch(settings.conditional() ? "*" : null));
            uploadId = null;
            Instant uploadDate = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            return new StoredMetadata(id, size, FileStore.etagOf(digest.digest()), uploadDate, type,
                    upload.filename(), upload.disposition());
        } catch (SdkException e) {
            if (settings.conditional() && Failures.preconditionFailed(e)) {
                throw new IOException("cannot store " + id + ": another instance took the id at the same moment", e);
            }
            throw Failures.of("multipart upload of " + key, settings, start, e);
        } finally {
            inFlight.remove(key);
            if (uploadId != null) {
                abort(key, uploadId);
            }
        }
    }

    private void abort(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            LOG.log(Level.ERROR, "cannot abort the multipart upload " + uploadId + " of " + key + " in "
                    + settings.describe() + "; the bucket keeps its parts until a lifecycle rule or"
                    + " keyhole fsck --repair removes them", e);
        }
    }

    /** Reads up to {@link #PART_SIZE} bytes; refuses content beyond the limit. */
    private byte[] readPart(InputStream content, MessageDigest digest, long before, Upload upload) throws IOException {
        byte[] part = content.readNBytes(PART_SIZE);
        if (before + part.length > maxSize) {
            throw new FileTooLargeException(upload.filename(), maxSize);
        }
        digest.update(part);
        return part;
    }

    @Override
    public boolean delete(FileId id) throws IOException {
        String key = key(layout.relativePathOf(id));
        long start = System.nanoTime();
        try {
            try {
                s3.headObject(b -> b.bucket(settings.bucket()).key(key));
            } catch (SdkException e) {
                if (Failures.notFound(e)) {
                    return false;
                }
                throw e;
            }
            s3.deleteObject(b -> b.bucket(settings.bucket()).key(key));
            return true;
        } catch (SdkException e) {
            throw Failures.of("DELETE " + key, settings, start, e);
        }
    }

    // ---- init and fsck ----------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Here: the bucket must exist (creating one is left to the store's own tools, which set
     * its region, policy and lifecycle); {@code <prefix>.keyhole-tree} is written, or read back
     * when there, and must name this depth; and a throw-away object is put twice with
     * {@code If-None-Match: *} to learn whether the store honours it, which
     * {@code s3-claim=conditional} needs.
     */
    @Override
    public String create() throws IOException {
        long start = System.nanoTime();
        try {
            s3.headBucket(b -> b.bucket(settings.bucket()));
        } catch (SdkException e) {
            if (Failures.notFound(e)) {
                throw new IOException("there is no bucket " + settings.bucket() + (settings.endpoint() == null ? ""
                        : " at " + settings.endpoint()) + "; create it with the store's own tools first", e);
            }
            throw Failures.of("HEAD bucket " + settings.bucket(), settings, start, e);
        }
        String marker = key(MARKER);
        String expected = markerText();
        String found = readText(marker);
        if (found == null) {
            putText(marker, expected, false);
        } else if (!found.equals(expected)) {
            throw new IOException(settings.describe() + " already holds a tree marked '" + found.strip()
                    + "' in " + marker + "; this configuration has depth " + layout.depth()
                    + " (set fs-depth to match, or use another s3-prefix)");
        }
        boolean honoured = honoursIfNoneMatch();
        if (settings.conditional() && !honoured) {
            throw new IOException(settings.describe() + " ignores If-None-Match: * on PUT, so s3-claim=conditional"
                    + " cannot keep two instances from taking one id; set s3-claim=instance");
        }
        return (found == null ? "marked " : "found ") + settings.describe() + " as a hashed tree of depth "
                + layout.depth() + " (" + marker + "); readable and writable; conditional PUT "
                + (honoured ? "honoured" : "ignored, s3-claim=instance");
    }

    private String markerText() {
        return "keyhole hashed tree, depth " + layout.depth() + "\n";
    }

    /** Puts a fresh object twice with {@code If-None-Match: *}, then removes it. */
    private boolean honoursIfNoneMatch() throws IOException {
        String probe = key(MARKER + "-probe-" + HexFormat.of().formatHex(randomBytes()));
        try {
            putText(probe, "probe\n", true);
            return !putText(probe, "probe\n", true);
        } finally {
            long start = System.nanoTime();
            try {
                s3.deleteObject(b -> b.bucket(settings.bucket()).key(probe));
            } catch (SdkException e) {
                throw Failures.of("DELETE " + probe, settings, start, e);
            }
        }
    }

    /** The object's text, or {@code null} when there is none. */
    private String readText(String key) throws IOException {
        long start = System.nanoTime();
        try {
            return s3.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(key)).asUtf8String();
        } catch (SdkException e) {
            if (Failures.notFound(e)) {
                return null;
            }
            throw Failures.of("GET " + key, settings, start, e);
        }
    }

    /** {@code false} when {@code ifNoneMatch} and the store says the key is taken. */
    private boolean putText(String key, String text, boolean ifNoneMatch) throws IOException {
        long start = System.nanoTime();
        try {
            s3.putObject(b -> b.bucket(settings.bucket()).key(key).contentType("text/plain; charset=utf-8")
                    .ifNoneMatch(ifNoneMatch ? "*" : null), RequestBody.fromString(text));
            return true;
        } catch (SdkException e) {
            if (ifNoneMatch && Failures.preconditionFailed(e)) {
                return false;
            }
            throw Failures.of("PUT " + key, settings, start, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: every object under {@code s3-prefix} but the tree's marker must be an id at its
     * place; multipart uploads under the prefix started more than {@link #ABANDONED} ago are
     * reported, younger ones counted as in progress. A bucket keeps no {@code .meta} files.
     */
    @Override
    public TreeCheck check(boolean expectMeta) throws IOException {
        if (expectMeta) {
            throw new IOException("a bucket keeps no .meta files (request-type=internal needs the local tree)");
        }
        List<TreeProblem> problems = new ArrayList<>();
        long files = 0;
        long start = System.nanoTime();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(settings.prefix())).contents()) {
                String relative = o.key().substring(settings.prefix().length());
                if (relative.equals(MARKER)) {
                    continue;
                }
                files++;
                String name = relative.substring(relative.lastIndexOf('/') + 1);
                if (!FileId.isValid(name)) {
                    problems.add(problem(TreeProblem.Kind.NOT_AN_ID, o.key(), relative, "nothing can ask for it"));
                } else {
                    String place = layout.relativePathOf(FileId.parse(name));
                    if (!place.equals(relative)) {
                        problems.add(problem(TreeProblem.Kind.MISPLACED, o.key(), relative, "belongs at " + place));
                    }
                }
            }
            int inUse = 0;
            Instant abandoned = clock.instant().minus(ABANDONED);
            for (MultipartUpload u : uploads()) {
                if (u.initiated() != null && u.initiated().isAfter(abandoned)) {
                    inUse++;
                } else {
                    String relative = u.key().substring(settings.prefix().length());
                    problems.add(problem(TreeProblem.Kind.INCOMPLETE_UPLOAD, u.key(), relative,
                            "upload " + u.uploadId() + " started " + u.initiated() + "; --repair aborts it"));
                }
            }
            return new TreeCheck(files, inUse, problems);
        } catch (SdkException e) {
            throw Failures.of("listing " + settings.describe(), settings, start, e);
        }
    }

    /** Aborts the multipart uploads {@link #check} reports, and nothing else. */
    @Override
    public List<TreeProblem> cleanup() throws IOException {
        List<TreeProblem> removed = new ArrayList<>();
        for (TreeProblem p : check(false).problems()) {
            if (p.kind() == TreeProblem.Kind.INCOMPLETE_UPLOAD) {
                String uploadId = p.detail().substring("upload ".length(), p.detail().indexOf(' ', "upload ".length()));
                String key = p.path().toString();
                long start = System.nanoTime();
                try {
                    s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId));
                } catch (SdkException e) {
                    throw Failures.of("aborting upload " + uploadId + " of " + key, settings, start, e);
                }
                removed.add(p);
            }
        }
        return removed;
    }

    private List<MultipartUpload> uploads() {
        List<MultipartUpload> all = new ArrayList<>();
        String keyMarker = null;
        String idMarker = null;
        while (true) {
            String k = keyMarker;
            String i = idMarker;
            ListMultipartUploadsResponse r = s3.listMultipartUploads(b -> b.bucket(settings.bucket())
                    .prefix(settings.prefix()).keyMarker(k).uploadIdMarker(i));
            all.addAll(r.uploads());
            if (!Boolean.TRUE.equals(r.isTruncated())) {
                return all;
            }
            keyMarker = r.nextKeyMarker();
            idMarker = r.nextUploadIdMarker();
        }
    }

    private static boolean visibleAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static TreeProblem problem(TreeProblem.Kind kind, String key, String relative, String detail) {
        return new TreeProblem(kind, Path.of(key), relative, detail);
    }

    private static void checkRelative(String relativePath) {
        if (relativePath.isEmpty() || relativePath.startsWith("/") || relativePath.endsWith("/")) {
            throw new IllegalArgumentException("not a relative path of plain segments: " + relativePath);
        }
        for (String segment : relativePath.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("not a relative path of plain segments: " + relativePath);
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
