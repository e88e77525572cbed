package io.keyhole.tree;

import java.util.List;

/**
 * The result of {@link FileStore#check()}.
 *
 * @param files          entries other than directories seen in the tree (temporary files included)
 * @param tempFilesInUse temporary files of stores still writing; not problems
 * @param problems       what is wrong, in the order found (directories in name order)
 */
public record TreeCheck(long files, int tempFilesInUse, List<TreeProblem> problems) {

    public TreeCheck {
        problems = List.copyOf(problems);
    }

    /** Whether nothing is wrong. */
    public boolean isClean() {
        return problems.isEmpty();
    }
}
