package io.keyhole;

import io.keyhole.credential.JwtVerifier;
import io.keyhole.internal.Logs;
import io.keyhole.media.MediaRoot;
import io.keyhole.storage.LocalStorage;
import io.keyhole.storage.Storage;
import io.keyhole.storage.StorageProvider;
import io.keyhole.storage.Storages;
import io.keyhole.tree.Store;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * The live parts one {@link Keyhole} starts from its configuration, and closes: the authoriser
 * (with its transports or connection pool), the JWT verifier, the store that takes uploads, and
 * the storage files are opened from (with the thread that guards its opens).
 * This is the one place that turns settings into working objects. An authoriser given in code is
 * used, never closed: it is its owner's.
 */
final class Parts implements AutoCloseable {

    private static final System.Logger LOG = Logs.of(Parts.class);

    /** Who decides; {@code null} on a media host, where signed URLs carry the grant. */
    final Authorizer authorizer;
    /** The JWT check, {@code null} when requests carry no JWT. */
    final JwtVerifier jwt;
    /** Writes uploads into the tree or bucket; {@code null} while the mount is read-only. */
    final Store store;
    /** Where files are opened after the grant; {@code null} for a media host without media-root. */
    final Storage storage;
    private final boolean ownsAuthorizer;

    private Parts(Authorizer authorizer, boolean ownsAuthorizer, JwtVerifier jwt, Store store, Storage storage) {
        this.storage = storage;
        this.authorizer = authorizer;
        this.ownsAuthorizer = ownsAuthorizer;
        this.jwt = jwt;
        this.store = store;
    }

    /** Starts what {@code config} describes. Nothing connects yet: backends are reached per request. */
    static Parts start(KeyholeConfig config) {
        if (config.media() != null) {
            MediaRoot root = config.media().root();
            return new Parts(null, false, null, null, root == null ? null : new LocalStorage(root.root()));
        }
        JwtVerifier jwt = config.jwt() != null ? config.jwt().verifier(config.clock()) : null;
        Uploads uploads = config.uploads();
        Storages.Started started = Storages.start(config.storage(), config.tree(), uploads.readOnly() ? null
                : new StorageProvider.Writes(config.clock(), uploads.instance(), uploads.maxSize()), config.clock());
        try {
            return new Parts(config.backend().start(), config.backend().builds(), jwt, started.store(),
                    started.storage());
        } catch (RuntimeException | Error e) {
            try {
                started.close();
            } catch (IOException | RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Closes what was built here (the authoriser's pool or transport); a given authoriser stays open. */
    @Override
    public void close() {
        if (storage != null) {
            try {
                storage.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "closing the storage " + storage.describe() + " failed", e);
            }
        }
        if (ownsAuthorizer && authorizer instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "closing the authoriser " + authorizer + " failed", e);
            }
        }
    }
}
