package io.keyhole;

import io.keyhole.credential.Credential;
import io.keyhole.http.ByteRange;
import io.keyhole.http.ContentDisposition;
import io.keyhole.http.EntityTag;
import io.keyhole.http.HttpDate;
import io.keyhole.http.MultipartByteranges;
import io.keyhole.http.Outcome;
import io.keyhole.http.Preconditions;
import io.keyhole.http.QueryString;
import io.keyhole.http.RequestHeaders;
import io.keyhole.http.Representation;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaRoot;
import io.keyhole.media.MediaSettings;
import io.keyhole.media.MediaUrlSigner;
import io.keyhole.media.TokenCheck;
import io.keyhole.http.ContentTypes;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
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
 * <p>Two kinds of mount share these steps. A hashed tree: the path names a file id, a JWT is the
 * credential, and the authorisation backend decides. Cross-domain media ({@link MediaSettings}):
 * the path names a file below the media root, and the URL's signed token is both credential and
 * grant; without a usable token the browser is sent to the application for one.
 *
 * <p>Nothing touches the disk before the request has been granted, so a denied caller learns
 * nothing about which files exist.
 */
public final class Keyhole {

    private static final System.Logger LOG = System.getLogger(Keyhole.class.getName());

    /** The shared default ETag of the original module; it says nothing, so it is never used. */
    private static final String SEED_DEFAULT_ETAG = "00000000000000000000000000000000";
    private static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";
    private static final String DEFAULT_FILENAME = "file";
    private static final Delivery PASS = new Delivery.Pass();
    /** Media URLs carry a token: documents served from the media host must not pass it on in a Referer. */
    private static final List<NameValue> MEDIA_HEADERS = List.of(new NameValue("Referrer-Policy", "no-referrer"));
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
        MediaSettings media = config.media();
        if (media != null && media.development()) {
            // In development mode the application's own media endpoint answers instead.
            return PASS;
        }
        if (!path.startsWith(config.mount())) {
            // A container that maps Keyhole to /files/* hands it /files too; passed on, it would
            // reach whatever else is mapped there without authorisation.
            return isMountWithoutSlash(path) ? notFound() : PASS;
        }
        String method = request.method();
        if (method.equals("POST") || method.equals("DELETE")) {
            return writes.decide(request);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return reply(405, "method not allowed", new NameValue("Allow", writes.allowedMethods()));
        }
        String rest = path.substring(config.mount().length());

        // 2 credential, 3 authorise, 4 locate: a file id is put to the backend; a media URL carries its own grant
        Step step = media == null ? fromTree(request, path, method, rest) : fromMediaRoot(request, method, rest);
        if (step instanceof Step.Refused refused) {
            return refused.delivery();
        }
        Step.Found found = (Step.Found) step;

        // 5 evaluate
        return evaluate(request, method, found);
    }

    /**
     * Steps 4 and 5 alone, for media whose request the caller has authorised itself: the
     * application sending media itself (development mode, {@code sendInternalFile}) after its own check.
     *
     * @throws IllegalStateException when this Keyhole serves no media root
     */
    public Delivery deliverMedia(RequestView request, MediaPath file) {
        MediaSettings media = config.media();
        if (media == null || media.root() == null) {
            throw new IllegalStateException("this Keyhole serves no media-root");
        }
        String method = request.method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return reply(405, "method not allowed", new NameValue("Allow", "GET, HEAD"));
        }
        Step step = locateMedia(file);
        return step instanceof Step.Found found ? evaluate(request, method, found) : ((Step.Refused) step).delivery();
    }

    /** Steps 2 to 4 for a file id in the hashed tree: JWT, backend, tree. */
    private Step fromTree(RequestView request, String path, String method, String rawId) {
        Optional<FileId> named = config.tree().idOf(rawId);
        if (named.isEmpty()) {
            return new Step.Refused(notFound());
        }
        FileId id = named.get();

        // 2 credential
        String authValue = null;
        if (config.jwt() != null) {
            String token = config.tokenSource().find(request);
            if (token == null) {
                return new Step.Refused(reply(401, "credential required", new NameValue("WWW-Authenticate", "Bearer")));
            }
            Credential credential = config.jwt().verify(token);
            if (credential instanceof Credential.Valid valid) {
                authValue = valid.value();
            } else {
                String reason = credential instanceof Credential.Invalid invalid ? invalid.reason() : "no token";
                LOG.log(Level.DEBUG, "rejected credential for {0}: {1}", id, reason);
                return new Step.Refused(reply(401, "invalid credential",
                        new NameValue("WWW-Authenticate", "Bearer error=\"invalid_token\"")));
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
            return new Step.Refused(reply(e.kind().status(), "authorisation backend failed"));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "authorizer " + config.backend() + " threw for " + id, e);
            return new Step.Refused(reply(502, "authorisation backend failed"));
        }
        if (answer.error() != null) {
            LOG.log(Level.INFO, "backend said for {0}: {1}", id, answer.error());
        }
        if (answer.status() == null) {
            boolean empty = answer.carriesNoMetadata()
                    || answer.authValue() != null && !answer.authValue().equals(authValue);
            if (!config.downloadMatrix().allows(authValue != null, empty)) {
                return new Step.Refused(reply(403, "forbidden"));
            }
        } else if (answer.status() != 200) {
            return new Step.Refused(refusal(id, answer));
        }

        // 4 locate: the first disk access, and only now
        StoredFile file;
        try {
            Optional<StoredFile> found = config.tree().locate(id);
            if (found.isEmpty()) {
                return new Step.Refused(notFound());
            }
            file = found.get();
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot read " + config.tree().relativePathOf(id) + " below " + config.tree().root(), e);
            return new Step.Refused(reply(500, "file cannot be read"));
        }
        if (answer.length() != null && answer.length() != file.size()) {
            LOG.log(Level.WARNING, "backend says {0} has {1} bytes, the file has {2}; sending the file''s size",
                    id, answer.length(), file.size());
        }
        return new Step.Found(id.toString(), file,
                safeHeaderValue(answer.contentType(), DEFAULT_CONTENT_TYPE, "content_type", id.toString()),
                answer.filename() != null ? answer.filename() : DEFAULT_FILENAME,
                "attachment".equalsIgnoreCase(answer.contentDisposition()),
                uploadDateOf(answer.uploadDate(), id.toString()), parseTag(answer.etag()), List.of());
    }

    /** Steps 2 to 4 for a media path: the URL's signed token instead of a JWT and a backend. */
    private Step fromMediaRoot(RequestView request, String method, String decodedPath) {
        MediaSettings media = config.media();
        // The container decoded the path once already; a second decoding would serve (and check
        // the token against) another file than the one the URL names.
        MediaPath file = MediaPath.fromDecoded(decodedPath);
        if (file == null) {
            return new Step.Refused(notFound());
        }

        // 2 credential: the token in the URL; public media need none
        if (!media.isPublic(file)) {
            List<String> tokens = QueryString.values(request.query(), MediaSettings.TOKEN_PARAMETER);
            TokenCheck check = tokens.size() > 1
                    ? new TokenCheck.Invalid("the URL carries " + tokens.size() + " tokens")
                    : media.signer().check(tokens.isEmpty() ? null : tokens.get(0), file, method);

            // 3 authorise: a valid signature is the application's grant, made moments ago
            if (check.renewable()) {
                return new Step.Refused(toApplication(request, file, check));
            }
            if (check instanceof TokenCheck.Invalid invalid) {
                LOG.log(Level.DEBUG, "refused the media token for {0}: {1}", file, invalid.reason());
                return new Step.Refused(reply(403, "invalid media token"));
            }
        }

        // 4 locate: the first disk access, and only now
        return locateMedia(file);
    }

    private Step locateMedia(MediaPath file) {
        MediaRoot root = config.media().root();
        try {
            Optional<StoredFile> found = root.locate(file);
            if (found.isEmpty()) {
                return new Step.Refused(notFound());
            }
            return new Step.Found(file.toString(), found.get(), ContentTypes.of(file.fileName()), file.fileName(), false,
                    Optional.empty(), null, MEDIA_HEADERS);
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot read " + file + " below " + root, e);
            return new Step.Refused(reply(500, "file cannot be read"));
        }
    }

    /**
     * No usable token: send the browser to the application for a fresh one (step 2 of the flow),
     * marked with this host's time. A browser that comes back with that mark still fresh and
     * still no valid token is in a loop, which only configuration can end: say what is wrong.
     */
    private Delivery toApplication(RequestView request, MediaPath file, TokenCheck check) {
        MediaSettings media = config.media();
        MediaUrlSigner signer = media.signer();
        Instant now = signer.clock().instant();
        Instant bounced = MediaSettings.bouncedAt(request.query());
        if (bounced != null) {
            Duration since = Duration.between(bounced, now);
            if (since.compareTo(signer.leeway().negated()) >= 0 && since.compareTo(media.loopWindow()) <= 0) {
                String why = loopCause(file, check, now);
                LOG.log(Level.WARNING, "stopped a redirect loop for {0}: {1}", file, why);
                return reply(508, "Keyhole stopped a redirect loop between this media host and " + media.siteUrl()
                        + ".\n\n" + why);
            }
        }
        String location = media.authUrl(file) + '?' + MediaSettings.BOUNCED_PARAMETER + '=' + now.getEpochSecond();
        return new Delivery.Redirect(302, List.of(
                new NameValue("Location", location),
                new NameValue("Cache-Control", "no-store")));
    }

    private String loopCause(MediaPath file, TokenCheck check, Instant now) {
        MediaUrlSigner signer = config.media().signer();
        String policy = "media-token-lifetime " + signer.lifetime().toSeconds() + " s, media-token-leeway "
                + signer.leeway().toSeconds() + " s";
        String fix = " Synchronise both hosts' clocks (NTP), and give both sides the same media settings.";
        if (check instanceof TokenCheck.Expired expired) {
            return "The application has just sent the browser back with a token for " + file + " that had expired "
                    + expired.ago().toSeconds() + " s before, by this host's clock (" + now + "; " + policy
                    + "). The application's clock is behind this host's by more than the lifetime plus the leeway,"
                    + " or it uses a shorter lifetime." + fix;
        }
        if (check instanceof TokenCheck.AheadOfClock ahead) {
            return "The application has just sent the browser back with a token for " + file + " that expires "
                    + ahead.tooFarBy().toSeconds() + " s later than this host accepts (" + now + "; " + policy
                    + "). The application's clock is ahead of this host's by about that much, or it uses a longer"
                    + " lifetime." + fix;
        }
        return "The application has just sent the browser back to " + file + " without a token: it treats the file"
                + " as public, but this host does not. Make the application's isMediaPublic agree with"
                + " media-public-paths here.";
    }

    /** Step 5: the request's conditions and ranges against the located file. */
    private Delivery evaluate(RequestView request, String method, Step.Found found) {
        StoredFile file = found.file();
        Instant lastModified = found.uploadDate().orElse(file.lastModified().truncatedTo(ChronoUnit.SECONDS));
        EntityTag etag = found.etag() != null ? found.etag() : derivedTag(file);
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
        String contentType = found.contentType();
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

        List<NameValue> headers = new ArrayList<>(12);
        headers.add(new NameValue("Content-Type", multipart != null ? multipart.contentType() : contentType));
        headers.add(new NameValue("Content-Length", Long.toString(contentLength)));
        if (ranges.size() == 1) {
            headers.add(new NameValue("Content-Range", ranges.get(0).contentRange(file.size())));
        }
        headers.add(new NameValue("Accept-Ranges", "bytes"));
        headers.addAll(validators);
        headers.add(new NameValue("Content-Disposition", ContentDisposition.of(found.attachment(), found.filename())));
        headers.add(new NameValue("X-Content-Type-Options", "nosniff"));
        headers.addAll(found.extraHeaders());
        return new Delivery.Send(ranges.isEmpty() ? 200 : 206, headers, file, ranges, multipart, contentLength, head);
    }

    /**
     * Where steps 2 to 4 ended: refused (or redirected), or a file found with what the answer
     * says about it.
     */
    private sealed interface Step {

        record Refused(Delivery delivery) implements Step {
        }

        /**
         * @param what         the id or media path, for log lines
         * @param etag         the backend's tag, or {@code null} for one derived from the file
         * @param extraHeaders headers of this kind of delivery, sent last
         */
        record Found(String what, StoredFile file, String contentType, String filename, boolean attachment,
                     Optional<Instant> uploadDate, EntityTag etag, List<NameValue> extraHeaders) implements Step {
        }
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
    private static Optional<Instant> uploadDateOf(Long seconds, String id) {
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

    /** Derived from what stat says, so it changes whenever the file does. */
    private static EntityTag derivedTag(StoredFile file) {
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

    private static String safeHeaderValue(String value, String fallback, String field, String id) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f || c > 0xff)) {
            LOG.log(Level.WARNING, "backend''s {0} for {1} holds control characters; using {2}", field, id, fallback);
            return fallback;
        }
        return value;
    }

    private boolean isMountWithoutSlash(String path) {
        String mount = config.mount();
        return path.length() == mount.length() - 1 && mount.startsWith(path);
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
