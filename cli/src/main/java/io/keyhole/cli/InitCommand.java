package io.keyhole.cli;

import io.keyhole.storage.StorageProvider;
import io.keyhole.storage.Storages;
import io.keyhole.tree.FileStore;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.Store;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * {@code keyhole init --root DIR [--depth N]}: creates the empty hashed tree; {@code keyhole init
 * --config FILE}: readies the bucket a {@code serve} configuration keeps the tree in
 * ({@link Store#create()} either way).
 */
final class InitCommand {

    static final int DEFAULT_DEPTH = 4;

    /**
     * Deeper trees are valid, but creating all of their directories up front is not: depth 6
     * alone would make almost 18 million.
     */
    static final int MAX_INIT_DEPTH = 5;

    private InitCommand() {
    }

    static int run(List<String> argv, PrintStream out) throws UsageException, Failure {
        Args args = Args.parse("init", argv, Set.of("root", "depth", "config"), Set.of());
        if (args.get("config") != null) {
            if (args.get("root") != null || args.get("depth") != null) {
                throw new UsageException("init: --config takes the tree from FILE; leave out --root and --depth");
            }
            try (Storages.Started bucket = BucketArgs.start("init", args.get("config"),
                    new StorageProvider.Writes(Clock.systemUTC(), "keyhole-init", 1))) {
                return create(bucket.store(), bucket.storage().describe(), out);
            } catch (IOException e) {
                throw new Failure("closing the storage failed: " + e.getMessage());
            }
        }
        Path root = Path.of(args.require("root"));
        int depth = args.integer("depth", DEFAULT_DEPTH, 1, MAX_INIT_DEPTH);
        return create(FileStore.builder(new HashedTree(root, depth)).build(), root.toString(), out);
    }

    private static int create(Store store, String where, PrintStream out) throws Failure {
        try {
            out.println("keyhole: " + store.create());
        } catch (IOException e) {
            throw new Failure("cannot create the tree in " + where + ": " + e.getMessage());
        }
        return Main.OK;
    }
}
