package io.keyhole.storage;

import io.keyhole.tree.FileStore;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.Store;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Starts the storage a configuration names: the local tree, or a {@link StorageProvider} found
 * on the class path. Used by {@code Keyhole} and by the command line's {@code put}, {@code rm}
 * and {@code fsck}.
 */
public final class Storages {

    private Storages() {
    }

    /**
     * A started storage, and the store that writes uploads into it ({@code null} when read-only).
     * Closing closes the storage; the store is part of it.
     */
    public record Started(Storage storage, Store store) implements AutoCloseable {
        @Override
        public void close() throws java.io.IOException {
            storage.close();
        }
    }

    /**
     * Starts the storage for {@code tree}.
     *
     * @param writes how uploads are named and limited, or {@code null} when nothing is written
     * @throws IllegalArgumentException when the named storage is not on the class path, or an option is bad
     */
    public static Started start(StorageSettings settings, HashedTree tree, StorageProvider.Writes writes) {
        return start(settings, tree, writes, Clock.systemUTC());
    }

    /**
     * Starts the storage for {@code tree}; {@code clock} measures how long the storage keeps
     * what it opened ({@code open-cache-valid}).
     *
     * @param writes how uploads are named and limited, or {@code null} when nothing is written
     * @throws IllegalArgumentException when the named storage is not on the class path, or an option is bad
     */
    public static Started start(StorageSettings settings, HashedTree tree, StorageProvider.Writes writes, Clock clock) {
        if (settings.local()) {
            Store store = writes == null ? null : FileStore.builder(tree).clock(writes.clock())
                    .instance(writes.instance()).maxSize(writes.maxSize()).build();
            StorageSettings.OpenCache cache = settings.openCache();
            return new Started(new LocalStorage(tree.root(), LocalStorage.DEFAULT_OPEN_BOUND, cache.valid(), cache.size(),
                    clock), store);
        }
        StorageProvider provider = provider(settings.kind());
        Storage storage = provider.start(settings, tree.depth(), writes, clock);
        if (writes != null && !(storage instanceof Store)) {
            try {
                storage.close();
            } catch (java.io.IOException | RuntimeException e) {
                // it never served; what matters is the refusal below
            }
            throw new IllegalArgumentException("storage=" + settings.kind() + " takes no uploads; set read-only=yes");
        }
        return new Started(storage, writes == null ? null : (Store) storage);
    }

    private static StorageProvider provider(String kind) {
        List<String> found = new ArrayList<>();
        for (StorageProvider p : ServiceLoader.load(StorageProvider.class, Storages.class.getClassLoader())) {
            if (p.name().equals(kind)) {
                return p;
            }
            found.add(p.name());
        }
        throw new IllegalArgumentException("storage=" + kind + " is not on the class path (found: local"
                + (found.isEmpty() ? "" : ", " + String.join(", ", found)) + "); add io.keyhole:keyhole-" + kind);
    }
}
