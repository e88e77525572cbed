package io.keyhole.cli;

import io.keyhole.tree.HashedTree;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@code put}, {@code rm} and {@code fsck} share: the tree from {@code --root} and {@code --depth}, and words besides options. */
final class TreeArgs {

    private TreeArgs() {
    }

    /**
     * The tree. {@code --depth} has no default here: a wrong depth puts files where no request
     * finds them, so it is better said every time.
     */
    static HashedTree tree(Args args, String command) throws UsageException {
        Path root = Path.of(args.require("root"));
        if (args.get("depth") == null) {
            throw new UsageException(command + ": --depth is required: the tree's fs-depth (4 unless configured"
                    + " otherwise)");
        }
        return new HashedTree(root, args.integer("depth", 0, 1, HashedTree.MAX_DEPTH));
    }

    /**
     * Splits a command line into its options (handed to {@link Args}) and its other words. Every
     * option takes a value, as {@code --name value} or {@code --name=value}; after {@code --}
     * everything is a word, for files whose names start with dashes.
     */
    record Split(List<String> options, List<String> words) {
    }

    static Split split(List<String> argv) {
        List<String> options = new ArrayList<>();
        List<String> words = new ArrayList<>();
        boolean onlyWords = false;
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (onlyWords || !arg.startsWith("--")) {
                words.add(arg);
            } else if (arg.equals("--")) {
                onlyWords = true;
            } else {
                options.add(arg);
                if (arg.indexOf('=') < 0 && i + 1 < argv.size()) {
                    options.add(argv.get(++i));
                }
            }
        }
        return new Split(options, words);
    }
}
