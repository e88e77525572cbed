package io.keyhole.cli;

import io.keyhole.FileId;
import io.keyhole.tree.FileStore;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code keyhole rm ID... --root DIR --depth N}: deletes files from the tree. */
final class RmCommand {

    private RmCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) throws UsageException, Failure {
        TreeArgs.Split split = TreeArgs.split(argv);
        Args args = Args.parse("rm", split.options(), Set.of("root", "depth"), Set.of());
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
        FileStore store = FileStore.builder(tree).build();
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
                err.println("keyhole: rm: no file " + id + " in " + tree.root() + " (depth " + tree.depth() + ")");
                missing++;
            }
        }
        return missing == 0 ? Main.OK : Main.FAILED;
    }
}
