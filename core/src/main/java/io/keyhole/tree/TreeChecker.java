package io.keyhole.tree;

import io.keyhole.FileId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One walk over a tree for {@link FileStore#check()}: what is where it should not be. */
final class TreeChecker {

    private final HashedTree tree;
    /** Whether every file should have its metadata beside it ({@code request-type=internal}). */
    private final boolean expectMeta;
    private final List<TreeProblem> problems = new ArrayList<>();
    private long files;
    private int tempFilesInUse;

    TreeChecker(HashedTree tree) {
        this(tree, false);
    }

    TreeChecker(HashedTree tree, boolean expectMeta) {
        this.tree = tree;
        this.expectMeta = expectMeta;
    }

    TreeCheck check() throws IOException {
        Path root = tree.root();
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "no tree here: the root is not a directory");
        }
        walk(root, "");
        return new TreeCheck(files, tempFilesInUse, problems);
    }

    private void walk(Path dir, String relativeDir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException e) {
            return; // removed while walking
        } catch (IOException e) {
            problems.add(new TreeProblem(TreeProblem.Kind.UNREADABLE, dir, relativeDir.isEmpty() ? "." : relativeDir,
                    "cannot list it: " + e.getMessage()));
            return;
        }
        // Sorted, so that reports of the same tree read the same.
        entries.sort(null);
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            String relative = relativeDir.isEmpty() ? name : relativeDir + "/" + name;
            // Symbolic links are looked at, not followed: a link to a directory is checked as an entry.
            if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                walk(entry, relative);
            } else {
                files++;
                checkFile(entry, name, relative);
            }
        }
    }

    private void checkFile(Path file, String name, String relative) {
        if (TempFile.isTempName(name)) {
            switch (TempFile.probe(file)) {
                case IN_USE -> tempFilesInUse++;
                case LEFTOVER -> problems.add(new TreeProblem(TreeProblem.Kind.LEFTOVER_TEMP_FILE, file, relative,
                        "no store is writing it; fsck --repair or FileStore.cleanup() removes it"));
                case UNKNOWN -> problems.add(new TreeProblem(TreeProblem.Kind.LEFTOVER_TEMP_FILE, file, relative,
                        "cannot tell whether a store is writing it (no read access, or no locks on this file system);"
                                + " remove it by hand once no store runs"));
                case GONE -> files--;
            }
            return;
        }
        if (PackIds.isMetaName(name)) {
            String owner = name.substring(0, name.length() - PackIds.META_SUFFIX.length());
            if (PackIds.idOfDiskName(owner).isEmpty()) {
                problems.add(new TreeProblem(TreeProblem.Kind.NOT_AN_ID, file, relative, "metadata of no file id"));
            } else if (!Files.exists(file.resolveSibling(owner), LinkOption.NOFOLLOW_LINKS)) {
                problems.add(new TreeProblem(TreeProblem.Kind.ORPHAN_META, file, relative,
                        "metadata without its file " + owner + "; fsck --repair removes it"));
            }
            return;
        }
        Optional<FileId> named = PackIds.idOfDiskName(name);
        if (named.isEmpty()) {
            problems.add(new TreeProblem(TreeProblem.Kind.NOT_AN_ID, file, relative, "nothing can ask for it"));
            return;
        }
        FileId id = named.get();
        if (expectMeta && !Files.exists(file.resolveSibling(name + PackIds.META_SUFFIX), LinkOption.NOFOLLOW_LINKS)) {
            problems.add(new TreeProblem(TreeProblem.Kind.MISSING_META, file, relative,
                    "no " + name + PackIds.META_SUFFIX + " beside it, so request-type=internal lets nobody read it"));
        }
        if (id.hex().length() < tree.depth()) {
            problems.add(new TreeProblem(TreeProblem.Kind.MISPLACED, file, relative,
                    "an id needs at least " + tree.depth() + " hex digits in a tree of depth " + tree.depth()));
            return;
        }
        String expected = tree.relativePathOf(id);
        if (!expected.equals(relative)) {
            problems.add(new TreeProblem(TreeProblem.Kind.MISPLACED, file, relative, "belongs at " + expected));
        }
    }
}
