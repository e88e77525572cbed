package io.keyhole;

import io.keyhole.auth.Credential;
import io.keyhole.http.ContentDisposition;
import io.keyhole.http.EntityTag;
import io.keyhole.http.HttpDate;
import io.keyhole.http.MultipartByteranges;
import io.keyhole.http.Outcome;
import io.keyhole.http.Preconditions;
import io.keyhole.http.RequestHeaders;
import io.keyhole.http.Representation;
import io.keyhole.http.ByteRange;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The decision for one request, knowing no container: route, credential, authorise, locate,
 * evaluate. {@link #decide} returns a {@link Delivery}; adapters render it. Thread-safe.
 *
 * <p>Nothing touches the disk before the backend has granted the request, so a denied caller
 * learns nothing about which files exist.
 */
public final class Keyhole {

    private static final System.Logger LOG = System.getLogger(Keyhole.class.getName());

    /** The shared default ETag of the original module; it says nothing, so it is never used. */
    private static final String SEED_DEFAULT_ETAG = "00000000000000000000000000000000";
    private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
    private static final String DEFAULT_FILENAME = "file";
    private static final Delivery PASS = new Delivery.Pass();
    /** 9999-12-31T23:59:59Z, the last instant an IMF-fixdate can express. */
    private static final long LATEST_HTTP_DATE = 253_402_300_799L;

    private final KeyholeConfig config;
    private final Writes writes;

    public Keyhole(KeyholeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.writes = new Writes(config);
    }

    public KeyholeConfig config() {
        return config;
    }

    /** Decides how to answer {@code request}. Never throws for anything the client sent. */
    public Delivery decide(RequestView request) {
        // 1 route
        String path = request.path();
        if (!path.startsWith(config.mount())) {
            return PASS;
        }
        String method = request.method();
        if (method.equals("POST") || method.equals("DELETE")) {
            return writes.decide(request);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return reply(405, "method not allowed", new NameValue("Allow", writes.allowedMethods()));
        }
        String rawId = path.substring(config.mount().length());
        if (!FileId.isValid(rawId) || FileId.parse(rawId).hex().length() < config.tree().depth()) {
            return notFound();
        }
        FileId id = FileId.parse(rawId);

        // 2 credential
        String authValue = null;
        if (config.jwt() != null) {
            String token = config.tokenSource().find(request);
            if (token == null) {
                return reply(401, "credential required", new NameValue("WWW-Authenticate", "Bearer"));
            }
            Credential credential = config.jwt().verify(token);
            if (credential instanceof Credential.Valid valid) {
                authValue = valid.value();
            } else {
                String reason = credential instanceof Credential.Invalid invalid ? invalid.reason() : "no token";
                LOG.log(Level.DEBUG, "rejected credential for {0}: {1}", id, reason);
                return reply(401, "invalid credential",
                        new NameValue("WWW-Authenticate", "Bearer error=\"invalid_token\""));
            }
        }

        // 3 authorise
        AuthRequest question = new AuthRequest(path, id, method, authValue,
                config.forwardAllHeaders() ? request.headers()
                        : config.forwardedHeaders().isEmpty() ? null : forwardedHeaders(request),
                config.forwardCookies() ? request.cookies() : null);
        AuthResponse answer;
        try {
            answer = Objects.requireNonNull(config.authorizer().authorize(question), "the authorizer answered null");
        } catch (AuthorizationException e) {
            LOG.log(Level.WARNING, "authorisation failed for {0}: {1}", id, e.getMessage());
            return reply(e.kind().status(), "authorisation backend failed");
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "authorizer " + config.backend() + " threw for " + id, e);
            return reply(502, "authorisation backend failed");
        }
        if (answer.error() != null) {
            LOG.log(Level.INFO, "backend said for {0}: {1}", id, answer.error());
        }
        if (answer.status() == null) {
            boolean empty = answer.carriesNoMetadata()
                    || answer.authValue() != null && !answer.authValue().equals(authValue);
            if (!config.downloadMatrix().allows(authValue != null, empty)) {
                return reply(403, "forbidden");
            }
        } else if (answer.status() != 200) {
            return refusal(id, answer);
        }

        // 4 locate: the first disk access, and only now
        StoredFile file;
        try {
            Optional<StoredFile> found = config.tree().locate(id);
            if (found.isEmpty()) {
                return notFound();
            }
            file = found.get();
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot read " + config.tree().relativePathOf(id) + " below " + config.tree().root(), e);
            return reply(500, "file cannot be read");
        }

        // 5 evaluate
        if (answer.length() != null && answer.length() != file.size()) {
            LOG.log(Level.WARNING, "backend says {0} has {1} bytes, the file has {2}; sending the file''s size",
                    id, answer.length(), file.size());
        }
        Instant lastModified = uploadDateOf(answer.uploadDate(), id)
                .orElse(file.lastModified().truncatedTo(ChronoUnit.SECONDS));
        EntityTag etag = etagOf(answer.etag(), file);
        Representation representation = new Representation(file.size(), lastModified, etag);
        // An offloading front server applies Range itself, to the file it sends.
        RequestHeaders conditions = config.delivery().offloaded()
                ? name -> name.equalsIgnoreCase("Range") ? List.of() : request.values(name)
                : request;
        Outcome outcome = Preconditions.evaluate(method, conditions, representation, config.maxRanges());

        List<NameValue> validators = List.of(
                new NameValue("ETag", etag.toString()),
                new NameValue("Last-Modified", HttpDate.format(lastModified)),
                new NameValue("Cache-Control", config.cacheControl()));
        String contentType = safeHeaderValue(answer.contentType(), DEFAULT_CONTENT_TYPE, "content_type", id);
        boolean head = method.equals("HEAD");
        if (outcome instanceof Outcome.NotModified) {
            return new Delivery.Reply(304, validators, null);
        }
        if (outcome instanceof Outcome.PreconditionFailed) {
            return reply(412, "precondition failed");
        }
        if (outcome instanceof Outcome.RangeNotSatisfiable) {
            return reply(416, "range not satisfiable", new NameValue("Content-Range", "bytes */" + file.size()));
        }
        List<ByteRange> ranges = outcome instanceof Outcome.Partial partial ? partial.ranges() : List.of();
        MultipartByteranges multipart = ranges.size() > 1
                ? new MultipartByteranges(MultipartByteranges.newBoundary(), contentType, ranges, file.size())
                : null;
        long contentLength = multipart != null ? multipart.contentLength()
                : ranges.size() == 1 ? ranges.get(0).length() : file.size();

        List<NameValue> headers = new ArrayList<>(10);
        headers.add(new NameValue("Content-Type", multipart != null ? multipart.contentType() : contentType));
        headers.add(new NameValue("Content-Length", Long.toString(contentLength)));
        if (ranges.size() == 1) {
            headers.add(new NameValue("Content-Range", ranges.get(0).contentRange(file.size())));
        }
        headers.add(new NameValue("Accept-Ranges", "bytes"));
        headers.addAll(validators);
        headers.add(new NameValue("Content-Disposition", ContentDisposition.of(
                "attachment".equalsIgnoreCase(answer.contentDisposition()),
                answer.filename() != null ? answer.filename() : DEFAULT_FILENAME)));
        headers.add(new NameValue("X-Content-Type-Options", "nosniff"));
        return new Delivery.Send(ranges.isEmpty() ? 200 : 206, headers, file, ranges, multipart, contentLength, head);
    }

    /** The backend said no (or 304): relay its status when it is one a client may see. */
    private Delivery refusal(FileId id, AuthResponse answer) {
        int status = answer.status();
        if (status == 304) {
            List<NameValue> headers = new ArrayList<>();
            EntityTag tag = parseTag(answer.etag());
            if (tag != null) {
                headers.add(new NameValue("ETag", tag.toString()));
            }
            headers.add(new NameValue("Cache-Control", config.cacheControl()));
            return new Delivery.Reply(304, headers, null);
        }
        if (status == 404) {
            return notFound();
        }
        if (status >= 400 && status <= 599) {
            return reply(status, status == 403 ? "forbidden" : "denied");
        }
        LOG.log(Level.WARNING, "backend answered status {0} for {1}, which is not a decision; failing closed",
                status, id);
        return reply(502, "authorisation backend failed");
    }

    private List<NameValue> forwardedHeaders(RequestView request) {
        List<NameValue> out = new ArrayList<>();
        for (String name : config.forwardedHeaders()) {
            for (String value : request.values(name)) {
                out.add(new NameValue(name, value));
            }
        }
        return out;
    }

    /** The backend's upload date, when it is one an HTTP-date can carry (years 1970..9999). */
    private static Optional<Instant> uploadDateOf(Long seconds, FileId id) {
        if (seconds == null) {
            return Optional.empty();
        }
        if (seconds < 0 || seconds > LATEST_HTTP_DATE) {
            LOG.log(Level.WARNING, "ignoring the backend''s upload_date {0} for {1}: not a plausible Unix time",
                    seconds, id);
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochSecond(seconds));
    }

    private static EntityTag etagOf(String fromBackend, StoredFile file) {
        EntityTag tag = parseTag(fromBackend);
        if (tag != null) {
            return tag;
        }
        // Derived from what stat says, so it changes whenever the file does.
        return EntityTag.strong(Long.toHexString(file.size()) + "-" + Long.toHexString(file.lastModified().toEpochMilli()));
    }

    /** A backend's tag, quoted ({@code "x"}, {@code W/"x"}) or bare ({@code x}); {@code null} when unusable. */
    private static EntityTag parseTag(String text) {
        if (text == null || text.isEmpty() || text.equals(SEED_DEFAULT_ETAG) || text.equals('"' + SEED_DEFAULT_ETAG + '"')) {
            return null;
        }
        try {
            return text.endsWith("\"") ? EntityTag.parse(text) : EntityTag.strong(text);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "ignoring the backend''s malformed etag: {0}", e.getMessage());
            return null;
        }
    }

    private static String safeHeaderValue(String value, String fallback, String field, FileId id) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f || c > 0xff)) {
            LOG.log(Level.WARNING, "backend''s {0} for {1} holds control characters; using {2}", field, id, fallback);
            return fallback;
        }
        return value;
    }

    private static Delivery notFound() {
        return reply(404, "not found");
    }

    private static Delivery reply(int status, String message, NameValue... extra) {
        List<NameValue> headers = new ArrayList<>(extra.length + 1);
        headers.addAll(List.of(extra));
        headers.add(new NameValue("Cache-Control", "no-store"));
        return new Delivery.Reply(status, headers, message);
    }
}
