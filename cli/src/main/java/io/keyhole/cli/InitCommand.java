package io.keyhole.cli;

import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code keyhole init --root DIR [--depth N]}: creates the empty hashed tree. */
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
        Args args = Args.parse("init", argv, Set.of("root", "depth"), Set.of());
        Path root = Path.of(args.require("root"));
        int depth = args.integer("depth", DEFAULT_DEPTH, 1, MAX_INIT_DEPTH);
        HashedTree tree = new HashedTree(root, depth);
        long created;
        try {
            created = tree.create();
        } catch (IOException e) {
            throw new Failure("cannot create the tree in " + root + ": " + e.getMessage());
        }
        out.println("keyhole: created " + created + " director" + (created == 1 ? "y" : "ies") + " in "
                + root + " (depth " + depth + ")");
        return 0;
    }
}
