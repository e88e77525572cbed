package io.keyhole;

import io.keyhole.credential.TokenSource;
import io.keyhole.internal.Logs;
import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import io.keyhole.observe.Health;
import io.keyhole.observe.KeyholeListener;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The engine for one mount, knowing no container. Adapters show it each request through a
 * {@link RequestView} and copy the {@link Delivery} that {@link #decide} returns. Thread-safe.
 *
 * <p>A request goes top-down through few places: the mount chosen once at start
 * ({@link TreeMount hashed tree} or {@link MediaMount media root}) routes it; the {@link Gate}
 * checks the credential, asks the backend and maps its answer, the same for downloads, uploads
 * and deletes; only a granted request touches the disk; {@link Deliveries} builds every answer.
 *
 * <p>Nothing touches the disk before the request has been granted, so a denied caller learns
 * nothing about which files exist.
 */
public final class Keyhole implements AutoCloseable {

    private static final System.Logger LOG = Logs.of(Keyhole.class);
    private static final Delivery PASS = new Delivery.Pass();

    private final KeyholeConfig config;
    private final String prefix;
    /**
     * The mount without its slash ({@code /files} for {@code /files/}): a container that maps
     * Keyhole to {@code /files/*} hands it this path too, and passed on it would reach whatever
     * else is mapped there, unauthorised. {@code null} in media development mode, where the
     * application answers every request.
     */
    private final String bareMount;
    private final Parts parts;
    private final Mount mount;
    private final KeyholeListener listener;
    /** The decision cache, {@code null} when it is off or on a media host. */
    private final DecisionCache decisions;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Cross-origin reads: off unless {@code cors-origins} lists some. */
    private final Cors cors;
    /** What the mount accepts, for CORS preflights. */
    private final String methods;
    /** A header the credential travels in, which a preflight must allow; {@code null} when none. */
    private final String tokenHeader;

    /**
     * Starts the parts {@code config} describes (the authoriser with its transport or connection
     * pool, the JWT check, the store); {@link #close()} closes them again.
     */
    public Keyhole(KeyholeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.prefix = config.mount();
        this.bareMount = config.media() != null && config.media().development() ? null
                : prefix.substring(0, prefix.length() - 1);
        this.cors = config.interop().cors();
        this.methods = config.uploads().readOnly() ? Writes.READ_ONLY_METHODS : Writes.ALL_METHODS;
        this.tokenHeader = config.tokenSource() instanceof TokenSource.Header header ? header.name() : null;
        this.parts = Parts.start(config);
        this.listener = KeyholeListener.all(config.listener());
        Deliveries deliveries = new Deliveries(config);
        MediaSettings media = config.media();
        if (media != null) {
            this.mount = new MediaMount(media, parts.storage, deliveries);
            this.decisions = null;
        } else {
            Gate gate = new Gate(config, parts.authorizer, parts.jwt);
            this.decisions = gate.decisions();
            this.mount = new TreeMount(config, parts.storage, gate, deliveries,
                    new Writes(config, gate, parts.store, parts.storage));
        }
    }

    public KeyholeConfig config() {
        return config;
    }

    /** Where files are read from, for log lines: e.g. {@code local /srv/files} or {@code s3://bucket/prefix/}. */
    public String describeStorage() {
        return parts.storage == null ? "no storage" : parts.storage.describe();
    }

    /**
     * Closes what this Keyhole started: the authoriser's connections, pools and threads. An
     * {@link Authorizer} given in code is left open, as its owner's. Requests still being decided
     * may fail with 502/503; later ones too. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            parts.close();
        }
    }

    /**
     * Forgets every decision remembered about {@code id} ({@code auth-cache-ttl}), for an
     * application that changed who may read it; the next request for it asks the backend.
     * Questions about it still in flight remember nothing. Uploads and deletes through this
     * Keyhole do this themselves. Other instances are not told: they may serve a grant they
     * remembered for at most their {@code auth-cache-ttl}. Without the decision cache, nothing to do.
     */
    public void revoke(FileId id) {
        Objects.requireNonNull(id, "id");
        if (decisions != null) {
            decisions.revoke(id);
        }
    }

    /**
     * Forgets every decision remembered for the auth value {@code authValue} (the {@code jwt-field}
     * claim's value), for an application that changed what that user may read; see {@link #revoke}.
     */
    public void revokeSubject(String authValue) {
        Objects.requireNonNull(authValue, "authValue");
        if (decisions != null) {
            decisions.revokeSubject(authValue);
        }
    }

    /** Decides how to answer {@code request}. Never throws: a failure inside Keyhole is a 500, logged. */
    public Delivery decide(RequestView request) {
        String path = request.path();
        if (!path.startsWith(prefix)) {
            return path.equals(bareMount) ? Deliveries.notFound() : PASS;
        }
        try {
            String rest = path.substring(prefix.length());
            if (!cors.enabled()) {
                return mount.decide(request, rest);
            }
            return request.method().equals("OPTIONS") ? cors.options(request, methods, tokenHeader)
                    : cors.decorate(request, mount.decide(request, rest));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Keyhole failed to decide " + request.method() + " " + path, e);
            return Deliveries.internalError();
        }
    }

    /**
     * Whether this Keyhole can serve now: the backend is probed ({@link Authorizer#probe}: a
     * connection made and closed within the connect deadline, a database connection checked) and
     * the storage's root opened ({@link io.keyhole.storage.Storage#probe}). Takes at most the
     * backend's connect deadline; asks about no file. A closed Keyhole is down.
     */
    public Health health() {
        Map<String, String> details = new LinkedHashMap<>();
        boolean up = !closed.get();
        if (!up) {
            details.put("keyhole", "closed");
        }
        if (parts.authorizer != null) {
            String backend = config.describeBackend();
            try {
                details.put("backend", (parts.authorizer.probe() ? "reachable: " : "not checked: ") + backend);
            } catch (AuthorizationException e) {
                up = false;
                details.put("backend", "unreachable: " + e.getMessage());
            } catch (RuntimeException e) {
                up = false;
                details.put("backend", "probe failed: " + backend + ": " + e);
            }
        }
        if (parts.storage != null) {
            String storage = parts.storage.describe();
            try {
                details.put("storage", (parts.storage.probe() ? "readable: " : "not checked: ") + storage);
            } catch (IOException | RuntimeException e) {
                up = false;
                details.put("storage", "unreadable: " + storage + ": " + e);
            }
        }
        return new Health(up, details);
    }

    /**
     * {@link #decide}, for an adapter that writes the answer and then reports it through
     * {@link Answer#sent} or {@link Answer#failed}, so that the configuration's listener hears of
     * every request Keyhole answered exactly once, with what was actually sent.
     */
    public Answer answer(RequestView request) {
        Instant time = config.clock().instant();
        Trace trace = Trace.begin();
        Delivery delivery;
        try {
            delivery = decide(request);
        } finally {
            trace.end();
        }
        String path = request.path();
        String named = path.length() > prefix.length() && path.startsWith(prefix) ? path.substring(prefix.length()) : null;
        return new Answer(delivery, listener, time, request.method(), named, trace);
    }

    /**
     * Steps 4 and 5 alone, for media whose request the caller has authorised itself: the
     * application sending media itself (development mode, {@code sendInternalFile}) after its own check.
     *
     * @throws IllegalStateException when this Keyhole serves no media root
     */
    public Delivery deliverMedia(RequestView request, MediaPath file) {
        if (!(mount instanceof MediaMount media) || config.media().root() == null) {
            throw new IllegalStateException("this Keyhole serves no media-root");
        }
        return media.deliverAuthorised(request, file);
    }
}
