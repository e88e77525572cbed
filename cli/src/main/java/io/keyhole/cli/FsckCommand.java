package io.keyhole.cli;

import io.keyhole.tree.FileStore;
import io.keyhole.tree.HashedTree;
import io.keyhole.tree.TreeCheck;
import io.keyhole.tree.TreeProblem;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code keyhole fsck --root DIR --depth N [--repair]}: lists what does not belong in the tree,
 * one line each; {@code --repair} first removes temporary files left by stores that died, and
 * nothing else. Exit code 0 when nothing is (left) wrong, 1 otherwise.
 */
final class FsckCommand {

    static final String REPAIR = "--repair";

    /** Every file should have its metadata beside it (a tree served with request-type=internal). */

    static final String META = "--meta";

    private FsckCommand() {
    }

    static int run(List<String> argv, PrintStream out) throws UsageException, Failure {
        // --repair is the one option without a value.
        boolean repair = argv.contains(REPAIR);
        boolean meta = argv.contains(META);
        List<String> rest = new ArrayList<>(argv);
        rest.removeIf(a -> a.equals(REPAIR) || a.equals(META));
        TreeArgs.Split split = TreeArgs.split(rest);
        Args args = Args.parse("fsck", split.options(), Set.of("root", "depth"), Set.of());
        if (!split.words().isEmpty()) {
            throw new UsageException("fsck: unexpected argument '" + split.words().get(0) + "'");
        }
        HashedTree tree = TreeArgs.tree(args, "fsck");
        if (!Files.isDirectory(tree.root())) {
            throw new UsageException("fsck: --root " + tree.root() + " is not a directory");
        }
        FileStore store = FileStore.builder(tree).build();
        TreeCheck check;
        try {
            if (repair) {
                for (TreeProblem removed : store.cleanup()) {
                    out.println("removed " + removed.kind().label() + " " + removed.relativePath());
                }
            }
            check = store.check(meta);
        } catch (IOException e) {
            throw new Failure("cannot check " + tree.root() + ": " + e.getMessage());
        }
        for (TreeProblem problem : check.problems()) {
            out.println(problem);
        }
        int count = check.problems().size();
        out.println("keyhole: fsck: " + check.files() + " file" + (check.files() == 1 ? "" : "s") + " in " + tree.root()
                + " (depth " + tree.depth() + "): " + (count == 0 ? "clean" : count + " problem" + (count == 1 ? "" : "s"))
                + (check.tempFilesInUse() == 0 ? "" : "; " + check.tempFilesInUse() + " being written by running stores"));
        return count == 0 ? Main.OK : Main.FAILED;
    }
}
