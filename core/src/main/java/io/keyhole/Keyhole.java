package io.keyhole;

import io.keyhole.media.MediaPath;
import io.keyhole.media.MediaSettings;
import java.lang.System.Logger.Level;
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

    private static final System.Logger LOG = System.getLogger(Keyhole.class.getName());
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
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Starts the parts {@code config} describes (the authoriser with its transport or connection
     * pool, the JWT check, the store); {@link #close()} closes them again.
     */
    public Keyhole(KeyholeConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.prefix = config.mount();
        this.bareMount = config.media() != null && config.media().development() ? null
                : prefix.substring(0, prefix.length() - 1);
        this.parts = Parts.start(config);
        Deliveries deliveries = new Deliveries(config);
        MediaSettings media = config.media();
        if (media != null) {
            this.mount = new MediaMount(media, parts.storage, deliveries);
        } else {
            Gate gate = new Gate(config, parts.authorizer, parts.jwt);
            this.mount = new TreeMount(config, parts.storage, gate, deliveries, new Writes(config, gate, parts.store));
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

    /** Decides how to answer {@code request}. Never throws: a failure inside Keyhole is a 500, logged. */
    public Delivery decide(RequestView request) {
        String path = request.path();
        if (!path.startsWith(prefix)) {
            return path.equals(bareMount) ? Deliveries.notFound() : PASS;
        }
        try {
            return mount.decide(request, path.substring(prefix.length()));
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Keyhole failed to decide " + request.method() + " " + path, e);
            return Deliveries.internalError();
        }
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
