package io.keyhole;

import io.keyhole.http.ContentTypes;
import io.keyhole.http.QueryString;
import io.keyhole.internal.Logs;
import io.keyhole.media.MediaGrant;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import io.keyhole.media.MediaUrlSigner;
import io.keyhole.media.TokenCheck;
import io.keyhole.storage.OpenedFile;
import io.keyhole.storage.Storage;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cross-domain media below the mount: the path names a file below the media root, and the URL's
 * signed token is both credential and grant; without a usable token the browser is sent to the
 * application for one. In development mode every request passes to the application, which
 * serves media itself. Thread-safe.
 */
final class MediaMount implements Mount {

    private static final System.Logger LOG = Logs.of(MediaMount.class);
    private static final Delivery PASS = new Delivery.Pass();
    /** Media URLs carry a token: documents served from the media host must not pass it on in a Referer. */
    private static final List<NameValue> MEDIA_HEADERS = List.of(new NameValue("Referrer-Policy", "no-referrer"));

    private static final NameValue ALLOW = new NameValue("Allow", "GET, HEAD");
    /** Most media cookies of the same name (for nested directories) looked at in one request. */
    private static final int MAX_COOKIES_TRIED = 8;

    private final MediaSettings media;
    /** Where media are opened; {@code null} in development mode without media-root. */
    private final Storage storage;
    private final Deliveries deliveries;

    MediaMount(MediaSettings media, Storage storage, Deliveries deliveries) {
        this.storage = storage;
        this.media = media;
        this.deliveries = deliveries;
    }

    @Override
    public Delivery decide(RequestView request, String rest) {
        if (media.development()) {
            // The application's own media endpoint answers instead.
            return PASS;
        }
        String method = request.method();
        if (method.equals("POST") || method.equals("DELETE")) {
            return Deliveries.reply(405, "method not allowed: this mount is read-only", ALLOW);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Deliveries.reply(405, "method not allowed", ALLOW);
        }
        // 1 route: the container decoded the path once already; decoding it again would serve
        // (and check the token against) another file than the one the URL names
        MediaPath file = MediaPath.fromDecoded(rest);
        if (file == null) {
            return Deliveries.notFound();
        }

        // 2 credential: the token in the URL, else a directory token in the media cookie; public media need none
        List<NameValue> extra = MEDIA_HEADERS;
        if (!media.isPublic(file)) {
            List<String> tokens = QueryString.values(request.query(), MediaSettings.TOKEN_PARAMETER);
            MediaUrlSigner signer = media.signer();
            TokenCheck check = tokens.size() > 1
                    ? new TokenCheck.Invalid("the URL carries " + tokens.size() + " tokens")
                    : tokens.isEmpty() ? fromCookie(request, file, method)
                    : signer.check(tokens.get(0), file, method, request.remoteAddress());

            // 3 authorise: a valid signature is the application's grant, made moments ago
            if (check.renewable()) {
                return toApplication(request, file, check);
            }
            if (check instanceof TokenCheck.Invalid invalid) {
                LOG.log(Level.DEBUG, "refused the media token for {0}: {1}", file, invalid.reason());
                return Deliveries.reply(403, "invalid media token");
            }
            if (check instanceof TokenCheck.Valid valid && tokens.size() == 1) {
                extra = withCookie(tokens.get(0), file, valid);
            }
        }
        return deliver(request, file, extra);
    }

    /**
     * The first media cookie whose token is valid for this request. A cookie that is not (stale,
     * for another directory, or planted by a sibling host) counts as no token at all: the browser
     * goes to the application for a fresh one rather than meeting a 403 it cannot get past.
     */
    private TokenCheck fromCookie(RequestView request, MediaPath file, String method) {
        String name = media.cookieName();
        if (name != null) {
            int tried = 0;
            for (NameValue cookie : request.cookies()) {
                if (cookie.name().equals(name) && tried++ < MAX_COOKIES_TRIED) {
                    TokenCheck check = media.signer().check(cookie.value(), file, method, request.remoteAddress());
                    if (check instanceof TokenCheck.Valid) {
                        return check;
                    }
                }
            }
        }
        return new TokenCheck.Missing();
    }

    /** A valid directory token from the URL goes into the media cookie, for the files below the directory. */
    private List<NameValue> withCookie(String token, MediaPath file, TokenCheck.Valid valid) {
        MediaGrant grant = media.cookieName() == null ? null : media.signer().grantOf(token, file);
        String cookie = grant == null ? null
                : media.setCookie(token, grant, valid.expires(), media.signer().clock().instant());
        if (cookie == null) {
            return MEDIA_HEADERS;
        }
        List<NameValue> headers = new ArrayList<>(MEDIA_HEADERS);
        headers.add(new NameValue("Set-Cookie", cookie));
        return List.copyOf(headers);
    }

    /**
     * Steps 4 and 5 alone, for media whose request the caller has authorised itself: the
     * application sending media itself (development mode, {@code sendInternalFile}).
     */
    Delivery deliverAuthorised(RequestView request, MediaPath file) {
        String method = request.method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Deliveries.reply(405, "method not allowed", ALLOW);
        }
        return deliver(request, file);
    }

    private Delivery deliver(RequestView request, MediaPath file) {
        return deliver(request, file, MEDIA_HEADERS);
    }

    /** Steps 4 and 5: the first disk access, and only now. */
    private Delivery deliver(RequestView request, MediaPath file, List<NameValue> headers) {
        Optional<OpenedFile> found;
        try {
            found = storage.open(file.value());
        } catch (IOException e) {
            LOG.log(Level.ERROR, "cannot read " + file + " below " + storage.describe(), e);
            return Deliveries.reply(500, "file cannot be read");
        }
        if (found.isEmpty()) {
            return Deliveries.notFound();
        }
        return deliveries.file(request, new Deliveries.Found(file.toString(), found.get(),
                deliveries.present(ContentTypes.of(file.fileName()), file.fileName(), false, Optional.empty(), null),
                headers));
    }

    /**
     * No usable token: send the browser to the application for a fresh one, marked with this
     * host's time. A browser that comes back with that mark still fresh and still no valid token
     * is in a loop, which only configuration can end: say what is wrong.
     */
    private Delivery toApplication(RequestView request, MediaPath file, TokenCheck check) {
        MediaUrlSigner signer = media.signer();
        if (signer.format() == MediaUrlSigner.Format.DJANGO) {
            // exactly as the Django view: a Django application hands no loop mark back
            return Delivery.redirect(media.authUrl(file));
        }
        Instant now = signer.clock().instant();
        Instant bounced = MediaSettings.bouncedAt(request.query());
        if (bounced != null) {
            Duration since = Duration.between(bounced, now);
            if (since.compareTo(signer.leeway().negated()) >= 0 && since.compareTo(media.loopWindow()) <= 0) {
                String why = loopCause(file, check, now);
                LOG.log(Level.WARNING, "stopped a redirect loop for {0}: {1}", file, why);
                // The mark comes from the URL: anyone can make a link that lands here. Only an
                // operator on this machine sees the diagnosis; everyone else a status.
                return operator(request)
                        ? Deliveries.reply(508, "Keyhole stopped a redirect loop between this media host and "
                                + media.siteUrl() + ".\n\n" + why)
                        : Deliveries.reply(508, "redirect loop stopped; the media host's log says why");
            }
        }
        String location = media.authUrl(file) + '?' + MediaSettings.BOUNCED_PARAMETER + '=' + now.getEpochSecond();
        return Delivery.redirect(location);
    }

    /** A client on this machine, not one a proxy on this machine speaks for. */
    private static boolean operator(RequestView request) {
        String peer = request.remoteAddress();
        boolean loopback = peer != null && (peer.startsWith("127.") || peer.equals("::1")
                || peer.equals("0:0:0:0:0:0:0:1") || peer.equals("[::1]"));
        return loopback && request.first("Forwarded") == null && request.first("X-Forwarded-For") == null
                && request.first("X-Real-IP") == null;
    }

    private String loopCause(MediaPath file, TokenCheck check, Instant now) {
        MediaUrlSigner signer = media.signer();
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
}
