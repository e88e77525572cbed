package io.keyhole;

import io.keyhole.credential.JwtVerifier;
import io.keyhole.internal.Watchdog;
import io.keyhole.tree.FileStore;
import java.lang.System.Logger.Level;

/**
 * The live parts one {@link Keyhole} starts from its configuration, and closes: the authoriser
 * (with its transports or connection pool), the JWT verifier, the store that takes uploads, and
 * its hold on the deadline thread that guards opening files.
 * This is the one place that turns settings into working objects. An authoriser given in code is
 * used, never closed: it is its owner's.
 */
final class Parts implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Parts.class.getName());

    /** Who decides; {@code null} on a media host, where signed URLs carry the grant. */
    final Authorizer authorizer;
    /** The JWT check, {@code null} when requests carry no JWT. */
    final JwtVerifier jwt;
    /** Writes uploads into the tree; {@code null} while the mount is read-only. */
    final FileStore store;
    private final boolean ownsAuthorizer;

    private Parts(Authorizer authorizer, boolean ownsAuthorizer, JwtVerifier jwt, FileStore store) {
        this.authorizer = authorizer;
        this.ownsAuthorizer = ownsAuthorizer;
        this.jwt = jwt;
        this.store = store;
        // Opening a file is guarded by a deadline (a FIFO swapped in must not block): the deadline
        // thread stays while any Keyhole is open, and goes with the last one closed.
        Watchdog.retain();
    }

    /** Starts what {@code config} describes. Nothing connects yet: backends are reached per request. */
    static Parts start(KeyholeConfig config) {
        if (config.media() != null) {
            return new Parts(null, false, null, null);
        }
        JwtVerifier jwt = config.jwt() != null ? config.jwt().verifier(config.clock()) : null;
        Uploads uploads = config.uploads();
        FileStore store = uploads.readOnly() ? null
                : FileStore.builder(config.tree()).clock(config.clock()).instance(uploads.instance())
                        .maxSize(uploads.maxSize()).build();
        return new Parts(config.backend().start(), config.backend().builds(), jwt, store);
    }

    /** Closes what was built here (the authoriser's pool or transport); a given authoriser stays open. */
    @Override
    public void close() {
        Watchdog.release();
        if (ownsAuthorizer && authorizer instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing the authoriser " + authorizer + " failed", e);
            }
        }
    }
}
