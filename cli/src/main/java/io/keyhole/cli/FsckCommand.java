package io.keyhole.cli;

import io.keyhole.storage.StorageProvider;
import io.keyhole.storage.Storages;
import io.keyhole.tree.FileStore;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.Store;
import io.keyhole.tree.TreeCheck;
import io.keyhole.tree.TreeProblem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code keyhole fsck --root DIR --depth N [--repair]} (or {@code --config FILE} for a bucket):
 * lists what does not belong in the tree, one line each; {@code --repair} first removes what
 * writers that died left behind (temporary files, incomplete multipart uploads), and nothing
 * else. Exit code 0 when nothing is (left) wrong, 1 otherwise.
 */
final class FsckCommand {

    static final String REPAIR = "--repair";

    /** Every file should have its metadata beside it (a tree served with request-type=internal). */
    static final String META = "--meta";

    private FsckCommand() {
    }

    static int run(List<String> argv, PrintStream out) throws UsageException, Failure {
        // --repair and --meta are the options without a value.
        boolean repair = argv.contains(REPAIR);
        boolean meta = argv.contains(META);
        List<String> rest = new ArrayList<>(argv);
        rest.removeIf(a -> a.equals(REPAIR) || a.equals(META));
        TreeArgs.Split split = TreeArgs.split(rest);
        Args args = Args.parse("fsck", split.options(), Set.of("root", "depth", "config"), Set.of());
        if (!split.words().isEmpty()) {
            throw new UsageException("fsck: unexpected argument '" + split.words().get(0) + "'");
        }
        if (args.get("config") != null) {
            if (meta) {
                throw new UsageException("fsck: --meta: a bucket keeps no .meta files");
            }
            try (Storages.Started bucket = BucketArgs.start("fsck", args.get("config"),
                    new StorageProvider.Writes(Clock.systemUTC(), "keyhole-fsck", 1))) {
                return check(bucket.store(), bucket.storage().describe(), repair, false, out);
            } catch (IOException e) {
                throw new Failure("closing the storage failed: " + e.getMessage());
            }
        }
        HashedTree tree = TreeArgs.tree(args, "fsck");
        if (!Files.isDirectory(tree.root())) {
            throw new UsageException("fsck: --root " + tree.root() + " is not a directory");
        }
        return check(FileStore.builder(tree).build(), tree.root() + " (depth " + tree.depth() + ")", repair, meta, out);
    }

    private static int check(Store store, String where, boolean repair, boolean meta, PrintStream out) throws Failure {
        TreeCheck check;
        try {
            if (repair) {
                for (TreeProblem removed : store.cleanup()) {
                    out.println("removed " + removed.kind().label() + " " + removed.relativePath());
                }
            }
            check = store.check(meta);
        } catch (IOException e) {
            throw new Failure("cannot check " + where + ": " + e.getMessage());
        }
        for (TreeProblem problem : check.problems()) {
            out.println(problem);
        }
        int count = check.problems().size();
        out.println("keyhole: fsck: " + check.files() + " file" + (check.files() == 1 ? "" : "s") + " in " + where
                + ": " + (count == 0 ? "clean" : count + " problem" + (count == 1 ? "" : "s"))
                + (check.tempFilesInUse() == 0 ? "" : "; " + check.tempFilesInUse() + " being written by running stores"));
        return count == 0 ? Main.OK : Main.FAILED;
    }
}
