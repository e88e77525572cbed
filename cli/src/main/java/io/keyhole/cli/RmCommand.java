package io.keyhole.cli;

import io.keyhole.FileId;
import io.keyhole.storage.StorageProvider;
import io.keyhole.storage.Storages;
import io.keyhole.tree.FileStore;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.Store;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code keyhole rm ID... --root DIR --depth N} (or {@code --config FILE} for a bucket): deletes files from the tree. */
final class RmCommand {

    private RmCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) throws UsageException, Failure {
        TreeArgs.Split split = TreeArgs.split(argv);
        Args args = Args.parse("rm", split.options(), Set.of("root", "depth", "config"), Set.of());
        if (args.get("config") != null) {
            return removeFromBucket(split.words(), args.get("config"), out, err);
        }
        HashedTree tree = TreeArgs.tree(args, "rm");
        if (split.words().isEmpty()) {
            throw new UsageException("rm: name at least one file ID to remove");
        }
        // Every id is checked before anything is removed.
        List<FileId> ids = new ArrayList<>();
        for (String word : split.words()) {
            if (!FileId.isValid(word)) {
                throw new UsageException("rm: '" + word + "' is not a file id (lowercase hex, optionally .suffix)");
            }
            FileId id = FileId.parse(word);
            if (id.hex().length() < tree.depth()) {
                throw new UsageException("rm: '" + word + "' is shorter than the tree's depth " + tree.depth());
            }
            ids.add(id);
        }
        if (!Files.isDirectory(tree.root())) {
            throw new UsageException("rm: --root " + tree.root() + " is not a directory");
        }
        return remove(ids, FileStore.builder(tree).build(), tree.root() + " (depth " + tree.depth() + ")", out, err);
    }

    /** {@code rm ID... --config FILE}: from the bucket of a {@code serve} configuration. */
    private static int removeFromBucket(List<String> words, String config, PrintStream out, PrintStream err)
            throws UsageException, Failure {
        List<FileId> ids = new ArrayList<>();
        for (String word : words) {
            if (!FileId.isValid(word)) {
                throw new UsageException("rm: '" + word + "' is not a file id (lowercase hex, optionally .suffix)");
            }
            ids.add(FileId.parse(word));
        }
        if (ids.isEmpty()) {
            throw new UsageException("rm: name at least one file ID to remove");
        }
        try (Storages.Started bucket = BucketArgs.start("rm", config,
                new StorageProvider.Writes(Clock.systemUTC(), "keyhole-rm", 1))) {
            return remove(ids, bucket.store(), bucket.storage().describe(), out, err);
        } catch (IOException e) {
            throw new Failure("closing the storage failed: " + e.getMessage());
        }
    }

    private static int remove(List<FileId> ids, Store store, String where, PrintStream out, PrintStream err)
            throws Failure {
        int missing = 0;
        for (FileId id : ids) {
            boolean removed;
            try {
                removed = store.delete(id);
            } catch (IOException e) {
                throw new Failure("cannot remove " + id + ": " + e.getMessage());
            }
            if (removed) {
                out.println("keyhole: removed " + id);
            } else {
                err.println("keyhole: rm: no file " + id + " in " + where);
                missing++;
            }
        }
        return missing == 0 ? Main.OK : Main.FAILED;
    }
}
