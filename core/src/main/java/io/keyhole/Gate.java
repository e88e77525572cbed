package io.keyhole;

import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.credential.AuthFilter;
import io.keyhole.credential.Credential;
import io.keyhole.credential.JwtVerifier;
import io.keyhole.credential.SignedInCaller;
import io.keyhole.credential.TokenSource;
import io.keyhole.http.EntityTag;
import io.keyhole.internal.Logs;
import io.keyhole.observe.Asked;
import io.keyhole.observe.KeyholeListener;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one gate of a hashed tree, for downloads, uploads and deletes alike: the credential, the
 * question to the backend with the forwarded headers and cookies, and the one mapping of the
 * backend's answer to a grant or a refusal. Thread-safe.
 */
final class Gate {

    private static final System.Logger LOG = Logs.of(Gate.class);

    private final Authorizer authorizer;
    private final String backend;
    private final JwtVerifier jwt;
    /** Tokens {@link #jwt} found valid, until their {@code exp}; {@code null} exactly when {@code jwt} is. */
    private final CredentialCache credentials;
    private final SignedInCaller signedIn;
    private final TokenSource tokenSource;
    private final List<String> forwardedHeaders;
    private final boolean forwardAllHeaders;
    private final boolean forwardCookies;
    private final String cacheControl;
    private final KeyholeListener listener;
    private final DecisionCache decisions;
    /** {@code credential=session}: the token's raw value is the auth value. */
    private final boolean session;
    /** {@code auth-filter}, or {@code null}. */
    private final AuthFilter authFilter;

    Gate(KeyholeConfig config, Authorizer authorizer, JwtVerifier jwt) {
        this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
        this.backend = config.backend().toString();
        this.jwt = jwt;
        this.credentials = jwt == null ? null : new CredentialCache(jwt::verify, config.clock(), CredentialCache.SIZE);
        this.signedIn = config.signedIn();
        this.tokenSource = config.tokenSource();
        this.forwardedHeaders = config.forwardedHeaders();
        this.forwardAllHeaders = config.forwardAllHeaders();
        this.forwardCookies = config.forwardCookies();
        this.cacheControl = config.cacheControl();
        this.listener = KeyholeListener.all(config.listener());
        this.decisions = config.authCache().enabled()
                ? new DecisionCache(config.authCache(), config.clock(), listener) : null;
        this.session = config.interop().sessionCredential();
        this.authFilter = config.interop().authFilter();
    }

    /** Who is asking: the credential's value, or the refusal to answer with. */
    sealed interface Caller {

        /** @param authValue the credential's value, {@code null} when no credential is configured */
        record Known(String authValue) implements Caller {
        }

        record Refused(Delivery delivery) implements Caller {
        }
    }

    /** What the backend decided: allowed with its answer, or the refusal to answer with. */
    sealed interface Verdict {

        /**
         * @param presentation how a download presents this grant's answer, worked out by the first
         *                     request that needs it and kept with the grant, so that a remembered
         *                     decision builds none of it again
         */
        record Granted(AuthResponse answer, AtomicReference<Deliveries.Presentation> presentation) implements Verdict {

            Granted(AuthResponse answer) {
                this(answer, new AtomicReference<>());
            }
        }

        /**
         * @param unanswered whether the backend took the question but gave no answer in time: it
         *                   may have acted on it all the same, e.g. recorded an upload
         */
        record Refused(Delivery delivery, boolean unanswered) implements Verdict {

            Refused(Delivery delivery) {
                this(delivery, false);
            }
        }
    }

    /**
     * Step 2, the credential. Without {@code jwt-key} every caller is anonymous; with it a
     * missing or invalid token is a 401 before anything else happens. A caller signed in by the
     * application is known by its auth value, anonymous when not signed in, and refused when signed
     * in without one.
     */
    Caller caller(RequestView request, String what) {
        if (signedIn != null) {
            Credential credential = Objects.requireNonNull(signedIn.find(request), "the signed-in caller was null");
            if (credential instanceof Credential.Invalid invalid) {
                LOG.log(Level.DEBUG, "refused signed-in caller for {0} {1}: {2}", request.method(), what, invalid.reason());
                return new Caller.Refused(Deliveries.reply(403, "forbidden"));
            }
            return new Caller.Known(credential instanceof Credential.Valid valid ? valid.value() : null);
        }
        if (jwt == null && !session) {
            return new Caller.Known(null);
        }
        String token = tokenSource.find(request);
        if (token == null) {
            return new Caller.Refused(credentialRequired());
        }
        Credential credential = session ? new Credential.Valid(token) : credentials.verify(token);
        if (credential instanceof Credential.Valid valid) {
            String value = authFilter == null || valid.value() == null ? valid.value() : authFilter.apply(valid.value());
            if (value != null || authFilter == null) {
                Trace.caller(value);
                return new Caller.Known(value);
            }
            credential = new Credential.Invalid("the credential value has no part " + authFilter.part()
                    + " after splitting on '" + authFilter.delimiter() + "'");
        }
        String reason = credential instanceof Credential.Invalid invalid ? invalid.reason() : "no token";
        LOG.log(Level.DEBUG, "rejected credential for {0} {1}: {2}", request.method(), what, reason);
        return new Caller.Refused(Deliveries.reply(401, "invalid credential",
                new NameValue("WWW-Authenticate", "Bearer error=\"invalid_token\"")));
    }

    /**
     * Whether a caller without a credential could be allowed by any answer under
     * {@code matrix}; when not, the refusal to give before a body is read or a backend asked.
     */
    Delivery refuseAnonymous(String authValue, AuthMatrix matrix) {
        if (authValue != null || matrix.allowsWithoutCredential()) {
            return null;
        }
        return jwt != null ? credentialRequired() : Deliveries.reply(403, "forbidden");
    }

    /** The question about {@code id} for {@code request}, with the headers and cookies configured to travel. */
    AuthRequest question(RequestView request, String uri, FileId id, String authValue, StoredMetadata stored) {
        return new AuthRequest(uri, id, request.method(), authValue, forwardedHeaders(request),
                forwardCookies ? request.cookies() : null, stored);
    }

    /**
     * Step 3, authorise: puts {@code question} to the backend and maps its answer. Granted: status
     * 200 or {@code success}, or no status and {@code matrix} allows. A download may be answered
     * 304 by the backend itself; that is relayed. Every other status a client may see is relayed
     * as a refusal; anything else, and every failure to get an answer, fails closed. With the
     * decision cache on, a download's decision may come from it instead ({@link DecisionCache}).
     */
    Verdict authorise(AuthRequest question, AuthMatrix matrix, int success) {
        if (decisions != null && DecisionCache.covers(question)) {
            return decisions.decide(question, q -> ask(q, matrix, success));
        }
        return ask(question, matrix, success).verdict();
    }

    /** The decision cache, {@code null} when it is off; uploads, deletes and revocations forget through it. */
    DecisionCache decisions() {
        return decisions;
    }

    /** One round trip to the backend and the one mapping of its answer. */
    private DecisionCache.Asked ask(AuthRequest question, AuthMatrix matrix, int success) {
        AuthResponse answer;
        try {
            answer = Objects.requireNonNull(ask(question), "the authorizer answered null");
        } catch (AuthorizationException e) {
            LOG.log(Level.WARNING, "authorisation of {0} failed: {1}", what(question), e.getMessage());
            return failed(Deliveries.reply(e.kind().status(), "authorisation backend failed"),
                    e.kind() == AuthorizationException.Kind.TIMEOUT);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "authorizer " + backend + " threw for " + what(question), e);
            return failed(Deliveries.reply(502, "authorisation backend failed"), false);
        }
        return new DecisionCache.Asked(verdict(question, answer, matrix, success), answer);
    }

    private Verdict verdict(AuthRequest question, AuthResponse answer, AuthMatrix matrix, int success) {
        if (answer.error() != null) {
            LOG.log(Level.INFO, "backend said for {0}: {1}", what(question), answer.error());
        }
        Integer status = answer.status();
        if (status == null) {
            return matrix.allows(question.authValue() != null, answer.countsAsEmptyFor(question.authValue()))
                    ? new Verdict.Granted(answer) : refused(Deliveries.reply(403, "forbidden"));
        }
        if (status == 200 || status == success) {
            return new Verdict.Granted(answer);
        }
        boolean download = question.method().equals("GET") || question.method().equals("HEAD");
        if (status == 304 && download) {
            return refused(notModified(answer));
        }
        if (status == 404) {
            return refused(Deliveries.notFound());
        }
        if (status >= 400 && status <= 599) {
            return refused(Deliveries.reply(status, status == 403 ? "forbidden" : "denied"));
        }
        LOG.log(Level.WARNING, "backend answered status {0} for {1}, which is not a decision; failing closed",
                status, what(question));
        return refused(Deliveries.reply(502, "authorisation backend failed"));
    }

    /**
     * One round trip to the backend, timed and told: to the listener, and to the request's trace
     * for its report. The result is the backend's word before the matrix reads it: {@code denied}
     * for a refusing status, else {@code granted}; or the failure.
     */
    private AuthResponse ask(AuthRequest question) throws AuthorizationException {
        long start = System.nanoTime();
        String result = "error";
        try {
            AuthResponse answer = authorizer.authorize(question);
            Integer status = answer == null ? null : answer.status();
            result = answer == null ? "bad-answer" : status != null && status >= 400 ? "denied" : "granted";
            return answer;
        } catch (AuthorizationException e) {
            result = e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
            throw e;
        } finally {
            long nanos = System.nanoTime() - start;
            Trace.asked(question, nanos);
            listener.asked(new Asked(backend, result, nanos));
        }
    }

    /** The backend's own 304, with its tag when it gave a usable one. */
    private Delivery notModified(AuthResponse answer) {
        List<NameValue> headers = new ArrayList<>(2);
        EntityTag tag = Deliveries.backendTag(answer.etag());
        if (tag != null) {
            headers.add(new NameValue("ETag", tag.toString()));
        }
        headers.add(new NameValue("Cache-Control", cacheControl));
        return new Delivery.Reply(304, headers, null);
    }

    private List<NameValue> forwardedHeaders(RequestView request) {
        if (forwardAllHeaders) {
            return request.headers();
        }
        if (forwardedHeaders.isEmpty()) {
            return null;
        }
        List<NameValue> out = new ArrayList<>();
        for (String name : forwardedHeaders) {
            for (String value : request.values(name)) {
                out.add(new NameValue(name, value));
            }
        }
        return out;
    }

    /** The request a log line is about, e.g. {@code GET abcdef0123}; built only when a line is written. */
    private static String what(AuthRequest question) {
        return question.method() + " " + question.fileId();
    }

    private static Delivery credentialRequired() {
        return Deliveries.reply(401, "credential required", new NameValue("WWW-Authenticate", "Bearer"));
    }

    private static Verdict refused(Delivery delivery) {
        return new Verdict.Refused(delivery);
    }

    /** @param unanswered whether the backend took the question and may have acted on it (a timeout) */
    private static DecisionCache.Asked failed(Delivery delivery, boolean unanswered) {
        return new DecisionCache.Asked(new Verdict.Refused(delivery, unanswered), null);
    }
}
