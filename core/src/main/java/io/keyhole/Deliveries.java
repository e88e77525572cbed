package io.keyhole;

import io.keyhole.http.ByteRange;
import io.keyhole.http.ContentDisposition;
import io.keyhole.http.EntityTag;
import io.keyhole.http.HttpDate;
import io.keyhole.http.MultipartByteranges;
import io.keyhole.http.Outcome;
import io.keyhole.http.Preconditions;
import io.keyhole.http.Representation;
import io.keyhole.http.RequestHeaders;
import io.keyhole.internal.Logs;
import io.keyhole.storage.OpenedFile;
import io.keyhole.storage.Prefetch;
import io.keyhole.storage.Storage;
import io.keyhole.storage.StorageUnavailableException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one place every {@link Delivery} is built: short replies, and step 5, the answer for a file
 * that was found, from the request's conditions and ranges. Adapters only copy what this builds.
 * Thread-safe.
 */
final class Deliveries {

    private static final System.Logger LOG = Logs.of(Deliveries.class);

    /** The shared default ETag of the original module; it says nothing, so it is never used. */
    private static final String SEED_DEFAULT_ETAG = "00000000000000000000000000000000";
    /** 9999-12-31T23:59:59Z, the last instant an IMF-fixdate can express. */
    private static final long LATEST_HTTP_DATE = 253_402_300_799L;

    /** Longest file name sent: what file systems hold, and about a third of a container's header room. */
    static final int MAX_FILENAME = 255;
    /** Longest content type or entity tag taken from the backend. */
    static final int MAX_HEADER_VALUE = 512;

    private static final NameValue ACCEPT_RANGES = new NameValue("Accept-Ranges", "bytes");
    private static final NameValue NOSNIFF = new NameValue("X-Content-Type-Options", "nosniff");

    private final NameValue cacheControlHeader;
    private final int maxRanges;
    /** An offloading front server applies Range itself, to the file it sends. */
    private final boolean offloaded;
    private final ActiveContent activeContent;
    private final Duration presignTtl;

    Deliveries(KeyholeConfig config) {
        this.activeContent = config.activeContent();
        this.cacheControlHeader = new NameValue("Cache-Control", config.cacheControl());
        this.maxRanges = config.maxRanges();
        this.offloaded = config.delivery().offloaded();
        this.presignTtl = config.storage().presignTtl();
    }

    /**
     * A file opened after the grant, with what the backend (or the media host) says about it.
     *
     * @param what         the id or media path, for log lines
     * @param presentation what the answer says of the file apart from the file itself
     * @param extraHeaders headers of this kind of delivery, sent last
     */
    record Found(String what, OpenedFile file, Presentation presentation, List<NameValue> extraHeaders) {
    }

    /**
     * The parts of a file's answer that do not depend on the opened file, with their header lines
     * built: worked out once per backend answer, so that every request a remembered decision
     * answers reuses them instead of building them again.
     *
     * @param uploadDate   the backend's date, or {@code null} for the file's own
     * @param etag         the backend's tag, or {@code null} for one derived from the file
     * @param lastModified the header for {@code uploadDate}, {@code null} with it
     * @param etagHeader   the header for {@code etag}, {@code null} with it
     * @param policy       the {@code Content-Security-Policy} line for the type, or {@code null}
     */
    record Presentation(String contentType, String filename, boolean attachment, Instant uploadDate,
                        EntityTag etag, NameValue contentTypeHeader, NameValue disposition, NameValue lastModified,
                        NameValue etagHeader, NameValue policy) {
    }

    /** What {@link Presentation} says for these values; {@code uploadDate} and {@code etag} may be absent. */
    Presentation present(String contentType, String filename, boolean attachment, Optional<Instant> uploadDate,
                         EntityTag etag) {
        Instant date = uploadDate.orElse(null);
        return new Presentation(contentType, filename, attachment, date, etag,
                new NameValue("Content-Type", contentType),
                new NameValue("Content-Disposition", ContentDisposition.of(attachment, filename)),
                date == null ? null : new NameValue("Last-Modified", HttpDate.format(date)),
                etag == null ? null : new NameValue("ETag", etag.toString()),
                activeContent.header(contentType));
    }

    /**
     * Step 5: the request's conditions and ranges against the opened file → 200, 206, 304, 412 or
     * 416. Closes the file unless the answer sends its body from it.
     */
    Delivery file(RequestView request, Found found) {
        Delivery delivery;
        try {
            delivery = evaluate(request, found);
        } catch (RuntimeException | Error e) {
            close(found.file());
            throw e;
        }
        if (!(delivery instanceof Delivery.Send send) || send.bodiless() || offloaded) {
            // Nothing will be read: a 304/412/416, a HEAD, or a front server that opens the file itself.
            close(found.file());
        }
        return delivery;
    }

    private Delivery evaluate(RequestView request, Found found) {
        String method = request.method();
        OpenedFile file = found.file();
        Presentation presented = found.presentation();
        Instant lastModified = presented.uploadDate();
        NameValue lastModifiedHeader = presented.lastModified();
        if (lastModified == null) {
            lastModified = file.lastModified().truncatedTo(ChronoUnit.SECONDS);
            lastModifiedHeader = new NameValue("Last-Modified", HttpDate.format(lastModified));
        }
        EntityTag etag = presented.etag();
        NameValue etagHeader = presented.etagHeader();
        if (etag == null) {
            etag = derivedTag(file);
            etagHeader = new NameValue("ETag", etag.toString());
        }
        Representation representation = new Representation(file.size(), lastModified, etag);
        RequestHeaders conditions = offloaded
                ? name -> name.equalsIgnoreCase("Range") ? List.of() : request.values(name)
                : request;
        Outcome outcome = Preconditions.evaluate(method, conditions, representation, maxRanges);

        if (outcome instanceof Outcome.NotModified) {
            return new Delivery.Reply(304, List.of(etagHeader, lastModifiedHeader, cacheControlHeader), null);
        }
        if (outcome instanceof Outcome.PreconditionFailed) {
            return reply(412, "precondition failed");
        }
        if (outcome instanceof Outcome.RangeNotSatisfiable) {
            return reply(416, "range not satisfiable", new NameValue("Content-Range", "bytes */" + file.size()));
        }
        List<ByteRange> ranges = outcome instanceof Outcome.Partial partial ? partial.ranges() : List.of();
        String contentType = presented.contentType();
        MultipartByteranges multipart = ranges.size() > 1
                ? new MultipartByteranges(MultipartByteranges.newBoundary(), contentType, ranges, file.size())
                : null;
        long contentLength = multipart != null ? multipart.contentLength()
                : ranges.size() == 1 ? ranges.get(0).length() : file.size();

        List<NameValue> extra = found.extraHeaders();
        // built at its exact size: the answer's list is made from it without growing or a second copy
        NameValue[] headers = new NameValue[8 + (ranges.size() == 1 ? 1 : 0) + (presented.policy() != null ? 1 : 0)
                + extra.size()];
        int n = 0;
        headers[n++] = multipart != null ? new NameValue("Content-Type", multipart.contentType())
                : presented.contentTypeHeader();
        headers[n++] = new NameValue("Content-Length", Long.toString(contentLength));
        if (ranges.size() == 1) {
            headers[n++] = new NameValue("Content-Range", ranges.get(0).contentRange(file.size()));
        }
        headers[n++] = ACCEPT_RANGES;
        headers[n++] = etagHeader;
        headers[n++] = lastModifiedHeader;
        headers[n++] = cacheControlHeader;
        headers[n++] = presented.disposition();
        headers[n++] = NOSNIFF;
        if (presented.policy() != null) {
            headers[n++] = presented.policy();
        }
        for (NameValue h : extra) {
            headers[n++] = h;
        }
        return new Delivery.Send(ranges.isEmpty() ? 200 : 206, List.of(headers), file, ranges, multipart,
                contentLength, method.equals("HEAD"));
    }

    /**
     * What the request will most likely read, for a storage that can fetch metadata and body in
     * one round trip: nothing when a front server sends the bytes or the answer will probably be
     * a 304.
     */
    Prefetch prefetch(RequestView request) {
        if (offloaded) {
            return Prefetch.METADATA;
        }
        boolean conditional = request.first("If-None-Match") != null || request.first("If-Modified-Since") != null;
        return Prefetch.guess(request.method(), request.first("Range"), conditional);
    }

    /**
     * {@code delivery=redirect}: a 302 to a URL of the object signed for {@code presign-ttl}, whose
     * answer carries the backend's type and disposition. Nothing is asked of the storage; it
     * answers conditionals and ranges itself when the client follows.
     */
    Delivery presigned(Storage storage, String relativePath, String contentType, boolean attachment, String filename) {
        Optional<URI> url = storage.presignedGet(relativePath, presignTtl, contentType,
                ContentDisposition.of(attachment, filename));
        if (url.isEmpty()) {
            LOG.log(Level.ERROR, "{0} cannot sign URLs; delivery=redirect needs a bucket", storage.describe());
            return internalError();
        }
        return Delivery.redirect(url.get().toString());
    }

    /** A short answer without a file, never cached. */
    static Delivery reply(int status, String message, NameValue... extra) {
        return Delivery.reply(status, message, extra);
    }

    static Delivery notFound() {
        return reply(404, "not found");
    }

    /**
     * A storage that failed: 503 when it cannot be reached, 504 when it did not answer within
     * {@code storage-timeout}, else 500 with {@code message}. The details are the caller's to log.
     */
    static Delivery storageFailed(Exception e, String message) {
        if (e instanceof StorageUnavailableException unavailable) {
            return unavailable.timedOut() ? reply(504, "the storage did not answer in time")
                    : reply(503, "the storage is unavailable", new NameValue("Retry-After", "5"));
        }
        return reply(500, message);
    }

    /** A request that failed inside Keyhole: the details are logged, the client learns nothing more. */
    static Delivery internalError() {
        return reply(500, "internal error");
    }

    /** A backend's tag, quoted ({@code "x"}, {@code W/"x"}) or bare ({@code x}); {@code null} when unusable. */
    static EntityTag backendTag(String text) {
        if (text == null || text.isEmpty() || text.equals(SEED_DEFAULT_ETAG) || text.equals('"' + SEED_DEFAULT_ETAG + '"')) {
            return null;
        }
        if (text.length() > MAX_HEADER_VALUE) {
            LOG.log(Level.WARNING, "ignoring the backend''s etag of {0} characters, more than {1}",
                    Integer.toString(text.length()), Integer.toString(MAX_HEADER_VALUE));
            return null;
        }
        try {
            return text.endsWith("\"") ? EntityTag.parse(text) : EntityTag.strong(text);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "ignoring the backend''s malformed etag: {0}", e.getMessage());
            return null;
        }
    }

    /** The backend's upload date, when it is one an HTTP-date can carry (years 1970..9999). */
    static Optional<Instant> uploadDate(Long seconds, String what) {
        if (seconds == null) {
            return Optional.empty();
        }
        if (seconds < 0 || seconds > LATEST_HTTP_DATE) {
            LOG.log(Level.WARNING, "ignoring the backend''s upload_date {0} for {1}: not a plausible Unix time",
                    seconds, what);
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochSecond(seconds));
    }

    /**
     * The backend's file name, shortened to {@value #MAX_FILENAME} characters (its extension kept)
     * when longer: the header that carries it must fit the container's limit (8 KiB on Jetty and
     * Tomcat), or the client would get the container's error page instead of the file.
     */
    static String filename(String value, String fallback, String what) {
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        int length = value.codePointCount(0, value.length());
        if (length <= MAX_FILENAME) {
            return value;
        }
        int dot = value.lastIndexOf('.');
        String extension = dot > 0 && value.length() - dot <= 16 ? value.substring(dot) : "";
        String stem = value.substring(0, value.offsetByCodePoints(0, MAX_FILENAME - extension.length()));
        LOG.log(Level.WARNING, "backend''s filename for {0} has {1} characters; sending its first {2}",
                what, Integer.toString(length), Integer.toString(MAX_FILENAME));
        return stem + extension;
    }

    /** The backend's value for a header, or {@code fallback} when it has none or one a header cannot carry. */
    static String headerValue(String value, String fallback, String field, String what) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        if (value.length() > MAX_HEADER_VALUE) {
            LOG.log(Level.WARNING, "backend''s {0} for {1} has {2} characters, more than {3}; using {4}",
                    field, what, Integer.toString(value.length()), Integer.toString(MAX_HEADER_VALUE), fallback);
            return fallback;
        }
        if (!headerSafe(value)) {
            LOG.log(Level.WARNING, "backend''s {0} for {1} holds control characters; using {2}", field, what, fallback);
            return fallback;
        }
        return value;
    }

    private static boolean headerSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    private static void close(OpenedFile file) {
        try {
            file.close();
        } catch (IOException e) {
            // Nothing was read from it; a failing close of a file opened for reading loses nothing.
            LOG.log(Level.DEBUG, "closing " + file + " failed", e);
        }
    }

    /** Derived from what stat says, so it changes whenever the file does. */
    private static EntityTag derivedTag(OpenedFile file) {
        return EntityTag.strong(Long.toHexString(file.size()) + "-" + Long.toHexString(file.lastModified().toEpochMilli()));
    }
}
