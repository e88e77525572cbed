package io.keyhole.storage;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The directories of one {@link LocalStorage} kept open between requests, each with the identity
 * (device and inode) it had when opened. A held directory is handed out only while its name still
 * names that very directory, as a fresh look shows; the root only while its path still leads to
 * it. What does not match is closed and dropped. At most {@code max} are held; beyond that some
 * are closed, and a request using one of them at that moment sees
 * {@link java.nio.file.ClosedDirectoryStreamException} and walks afresh. Thread-safe.
 */
final class HeldDirectories implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HeldDirectories.class.getName());

    /**
     * One directory held open.
     *
     * @param path   its path below the root, {@code null} for the root
     * @param parent the directory it was opened in, {@code null} for the root
     * @param up     what was held for {@code parent} when this was opened, {@code null} for the
     *               root and the root's children
     * @param view   its name as seen in {@code parent}, no link followed: looking through it again
     *               costs no path or view of its own
     */
    private static final class Held {
        final SecureDirectoryStream<Path> stream;
        final Object key;
        final String path;
        final SecureDirectoryStream<Path> parent;
        final Held up;
        final BasicFileAttributeView view;
        /** Levels below the root: 1 for the root's children. */
        final int level;
        /** Set by every use, cleared by an eviction pass that spares it once ("second chance"). */
        volatile boolean used = true;

        Held(SecureDirectoryStream<Path> stream, Object key, String path, SecureDirectoryStream<Path> parent, Held up,
             BasicFileAttributeView view) {
            this.stream = stream;
            this.key = key;
            this.path = path;
            this.parent = parent;
            this.up = up;
            this.view = view;
            this.level = levelOf(path);
        }

        /** 0 for the root ({@code null}), 1 for {@code a}, 2 for {@code a/b}… */
        private static int levelOf(String path) {
            if (path == null) {
                return 0;
            }
            int level = 1;
            for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
                level++;
            }
            return level;
        }
    }

    private final int max;
    /** By path relative to the root, e.g. {@code a/b}. */
    private final Map<String, Held> below = new ConcurrentHashMap<>();
    private volatile Held root;
    private volatile boolean closed;

    HeldDirectories(int max) {
        this.max = max;
    }

    /**
     * The root held open, opened now when none is held or the root's path leads elsewhere than
     * before (every directory held below it is dropped then); {@code null} when the root does not
     * exist, the storage is closed, or the file system has no directory descriptors (or no keys).
     */
    SecureDirectoryStream<Path> root(Path rootDirectory) throws IOException {
        if (closed) {
            return null;
        }
        BasicFileAttributes now;
        try {
            now = Files.readAttributes(rootDirectory, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
        Held current = root;
        if (current != null && now.fileKey() != null && now.fileKey().equals(current.key)) {
            return current.stream;
        }
        synchronized (this) {
            if (closed) {
                return null;
            }
            current = root;
            if (current != null && now.fileKey() != null && now.fileKey().equals(current.key)) {
                return current.stream;
            }
            DirectoryStream<Path> opened;
            try {
                opened = Files.newDirectoryStream(rootDirectory);
            } catch (NoSuchFileException e) {
                return null;
            }
            if (!(opened instanceof SecureDirectoryStream<Path> stream)) {
                opened.close();
                return null;
            }
            Object key = key(stream);
            if (key == null) {
                stream.close();
                return null;
            }
            if (current != null) {
                LOG.log(Level.INFO, "{0} leads to another directory than before; opening it afresh", rootDirectory);
            }
            dropAll();
            root = new Held(stream, key, null, null, null, null);
            return stream;
        }
    }

    /**
     * The directory held for {@code path} in {@code parent}, when what its name is now (looked at
     * in {@code parent}, no link followed) is that very directory; otherwise {@code null}, and a
     * held one is closed. One held in another {@code parent} (that one was dropped and opened
     * again since) is closed too, to be held again in this one.
     */
    SecureDirectoryStream<Path> get(String path, SecureDirectoryStream<Path> parent) throws IOException {
        Held held = below.get(path);
        if (held == null) {
            return null;
        }
        if (held.parent == parent) {
            // the name looked at in the very directory this walk came through, with a view made once
            BasicFileAttributes seen = look(held.view);
            if (seen != null && seen.isDirectory() && held.key.equals(seen.fileKey())) {
                held.used = true;
                return held.stream;
            }
        }
        if (below.remove(path, held)) {
            close(held);
        }
        return null;
    }

    /**
     * The directory held for {@code path} (a file's directory, e.g. {@code a/b/c/d}) when it and
     * every directory above it that is held are still what their names name, each looked at in
     * the one above, the top one in {@code root}: the checks of a walk through {@link #get}, one
     * level after the other from the top, without making a path for each level. {@code null} when
     * that does not hold, or any of them was opened in a directory no longer held; then the walk
     * goes level by level.
     */
    SecureDirectoryStream<Path> deepest(String path, SecureDirectoryStream<Path> root) throws IOException {
        Held held = below.get(path);
        if (held == null || !stillNamed(held, root)) {
            return null;
        }
        for (Held h = held; h != null && !h.used; h = h.up) {
            h.used = true;
        }
        return held.stream;
    }

    private boolean stillNamed(Held held, SecureDirectoryStream<Path> root) throws IOException {
        Held up = held.up;
        if (up == null ? held.parent != root : held.parent != up.stream || !stillNamed(up, root)) {
            return false;
        }
        if (below.get(held.path) != held) {
            return false;
        }
        BasicFileAttributes seen = look(held.view);
        return seen != null && seen.isDirectory() && held.key.equals(seen.fileKey());
    }

    private static BasicFileAttributes look(BasicFileAttributeView view) throws IOException {
        try {
            return view.readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Holds {@code opened}, just opened in {@code parent} (held for {@code parentPath}, {@code null}
     * for the root) and checked for {@code path}, and returns what to use: it,
     * or the same directory another request held first. {@code null} (and {@code opened} closed)
     * when the storage is closed or another request held a different directory for the path.
     */
    SecureDirectoryStream<Path> hold(String path, String parentPath, SecureDirectoryStream<Path> parent, Path name,
                                     SecureDirectoryStream<Path> opened) throws IOException {
        Object key;
        try {
            key = key(opened);
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        if (key == null || closed) {
            opened.close();
            return null;
        }
        if (below.size() >= max) {
            evict();
        }
        Held up = parentPath == null ? null : below.get(parentPath);
        Held mine = new Held(opened, key, path, parent, up,
                parent.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS));
        Held first = below.putIfAbsent(path, mine);
        if (first != null) {
            opened.close();
            return first.key.equals(key) ? first.stream : null;
        }
        if (closed && below.remove(path, mine)) {
            // close() ran while this was put: it must not outlive the storage.
            close(mine);
            return null;
        }
        return opened;
    }

    /** How many directories are held below the root. */
    int size() {
        return below.size();
    }

    /** Closes every held directory; nothing is held after this. */
    @Override
    public synchronized void close() {
        closed = true;
        dropAll();
    }

    private synchronized void dropAll() {
        Held r = root;
        root = null;
        if (r != null) {
            close(r);
        }
        for (Iterator<Held> all = below.values().iterator(); all.hasNext(); ) {
            Held held = all.next();
            all.remove();
            close(held);
        }
    }

    /**
     * Closes an eighth of the held directories: those not used since the last pass, the deepest
     * level first (closing a directory makes every one held below it useless until held again, so
     * upper levels, shared by many files, go last). Each pass spares what was used since the one
     * before and marks it unused, so directories in steady use stay held.
     */
    private void evict() {
        int excess = Math.max(1, max / 8);
        int deepest = 0;
        for (Held held : below.values()) {
            deepest = Math.max(deepest, held.level);
        }
        for (int pass = 0; pass < 2 && excess > 0; pass++) {
            for (int level = deepest; level >= 1 && excess > 0; level--) {
                for (Iterator<Held> all = below.values().iterator(); excess > 0 && all.hasNext(); ) {
                    Held held = all.next();
                    if (held.level != level) {
                        continue;
                    }
                    if (held.used) {
                        held.used = false;
                    } else if (below.remove(held.path, held)) {
                        close(held);
                        excess--;
                    }
                }
            }
        }
    }

    private static Object key(SecureDirectoryStream<Path> stream) throws IOException {
        return stream.getFileAttributeView(BasicFileAttributeView.class).readAttributes().fileKey();
    }

    private static void close(Held held) {
        try {
            held.stream.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing a held directory failed: {0}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "HeldDirectories[" + below.size() + " of " + max + (closed ? ", closed" : "") + "]";
    }
}
