package io.keyhole.storage;

import com.sun.management.UnixOperatingSystemMXBean;
import io.keyhole.internal.Logs;
import io.keyhole.internal.Watchdog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.System.Logger.Level;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedDirectoryStreamException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A directory of files on a local file system: the hashed tree or the media root. It opens a
 * file once, checks what it opened, and that is what gets served.
 *
 * <p>On Linux and macOS the path is walked one directory descriptor at a time
 * ({@link SecureDirectoryStream}, {@code openat}): no symbolic link below the root is followed,
 * and a directory swapped for a link while the walk runs is noticed (the directory opened must be
 * the one seen a moment before), so nothing outside the root is ever opened for reading. The root
 * itself may be a link, and may be repointed while running (a deployment switch). Each name is
 * looked at ({@code fstatat}) before it is opened, and the file again after: a file must be a
 * regular file both times, and the same one. A FIFO swapped in between the look and the open
 * would block the open for ever; a deadline ({@link #openBound()}) releases it, and the file is
 * refused. Directories are opened as {@code name/.}, which the kernel refuses for anything but a
 * directory before opening it, so no FIFO can block there.
 *
 * <p>File systems without {@link SecureDirectoryStream} (other providers, such as in-memory ones
 * in tests) are checked the older way: the real path must be exactly the root's real path plus
 * the relative path (so no link was on the way), and the file is opened without following a link
 * and compared before and after. That leaves a window in which a directory swapped for a link is
 * followed; use such providers only for trees no untrusted process writes to.
 *
 * <p>The directories on the way stay open between requests ({@link HeldDirectories}, at most
 * {@link #MAX_HELD_DIRECTORIES}), so a request does not pay for opening them again: before a held
 * directory is used, its name is looked at ({@code fstatat}, no link followed) and must still
 * name the very directory held, and the root's path must still lead to the root held (the root
 * may be repointed); otherwise the held ones are dropped and the walk opens afresh, as above.
 *
 * <p>Thread-safe. A thread that guards opens starts with the first and ends with {@link #close()}
 * (or after a minute without opens); {@link #close()} also closes the held directories.
 */
public final class LocalStorage implements Storage {

    private static final System.Logger LOG = Logs.of(LocalStorage.class);

    /**
     * How long an open may take before it is taken for an open of a FIFO. A local open takes
     * microseconds; an open held up this long by a slow disk would be refused (404) once, which
     * beats holding the thread for ever.
     */
    public static final Duration DEFAULT_OPEN_BOUND = Duration.ofSeconds(2);

    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    /** Gives a FIFO a writer without blocking (see {@link OpenRescue}); never creates or truncates. */
    private static final Set<OpenOption> RELEASE = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);

    /**
     * Most directories kept open between requests: 4,096, or fewer where the process may open
     * few descriptors, so that the held ones take at most a quarter of them. Each costs two
     * descriptors (the JDK keeps a duplicate of the one it reads the directory through). A tree
     * of depth 4 needs about 2,200 for 1,000 files picked at random, all four levels held.
     */
    public static final int MAX_HELD_DIRECTORIES = heldDirectoryLimit();

    private final Path root;
    private final HeldDirectories held = new HeldDirectories(MAX_HELD_DIRECTORIES);
    /** {@code root/.}: opening it fails for anything but a directory, FIFOs included, before anything is opened. */
    private final Path rootDirectory;
    private final long openBoundNanos;
    /**
     * Whether to walk with directory descriptors. Assumed for the default file system, whose
     * provider has them on Linux and macOS; cleared the first time it turns out not to.
     */
    private volatile boolean secure;
    /**
     * The root's real path as last seen, for file systems without directory descriptors. Cached
     * because resolving it costs a system call per component; refreshed whenever a file's real
     * path does not match it, so a root that is itself a link may be repointed while running.
     */
    private volatile Path realRoot;

    /** Files kept open for later requests; {@code null} when none are ({@code open-cache-valid=0}). */
    private final OpenFiles openFiles;

    /** Releases opens blocked on a FIFO; its thread starts with the first open and ends with {@link #close()}. */
    private final Watchdog watchdog = new Watchdog("keyhole-open-");

    /** @param root the directory (need not exist yet); kept absolute and normalised */
    public LocalStorage(Path root) {
        this(root, DEFAULT_OPEN_BOUND);
    }

    /**
     * @param root      the directory (need not exist yet); kept absolute and normalised
     * @param openBound how long one open may block before it is released and the file refused
     * @throws IllegalArgumentException when {@code openBound} is not positive
     */
    public LocalStorage(Path root, Duration openBound) {
        this(root, openBound, Duration.ZERO, 0, Clock.systemUTC());
    }

    /**
     * @param root           the directory (need not exist yet); kept absolute and normalised
     * @param openBound      how long one open may block before it is released and the file refused
     * @param openCacheValid how long a file opened and checked is kept open and handed to later
     *                       requests for it without looking at the tree again ({@code open-cache-valid});
     *                       zero keeps none
     * @param openCacheSize  most files kept open at once ({@code open-cache-size}), one descriptor each
     * @param clock          what {@code openCacheValid} is measured by
     * @throws IllegalArgumentException when {@code openBound} is not positive, {@code openCacheValid}
     *                                  negative or {@code openCacheSize} not positive while files are kept
     */
    public LocalStorage(Path root, Duration openBound, Duration openCacheValid, int openCacheSize, Clock clock) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.rootDirectory = this.root.resolve(".");
        Objects.requireNonNull(openBound, "openBound");
        if (openBound.isNegative() || openBound.isZero()) {
            throw new IllegalArgumentException("openBound must be positive, was " + openBound);
        }
        this.openBoundNanos = openBound.toNanos();
        this.secure = this.root.getFileSystem() == FileSystems.getDefault();
        Objects.requireNonNull(openCacheValid, "openCacheValid");
        Objects.requireNonNull(clock, "clock");
        if (openCacheValid.isNegative()) {
            throw new IllegalArgumentException("openCacheValid must not be negative, was " + openCacheValid);
        }
        if (!openCacheValid.isZero() && openCacheSize < 1) {
            throw new IllegalArgumentException("openCacheSize must be positive, was " + openCacheSize);
        }
        this.openFiles = openCacheValid.isZero() ? null : new OpenFiles(openCacheValid, openCacheSize, clock);
    }

    /** The root directory, absolute and normalised. */
    public Path root() {
        return root;
    }

    /** How long one open may block before it is released and the file refused. */
    public Duration openBound() {
        return Duration.ofNanos(openBoundNanos);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: empty also when a link lies on the way below the root, or when a name changed
     * while it was opened. A regular file where the path needs a directory is a damaged tree and
     * fails with a {@link FileSystemException}, as does a denied permission.
     */
    @Override
    public Optional<OpenedFile> open(String relativePath) throws IOException {
        check(relativePath);
        OpenFiles cache = openFiles;
        if (cache == null) {
            return openChecked(relativePath);
        }
        LocalFile kept = cache.get(relativePath);
        if (kept != null) {
            return Optional.of(kept);
        }
        long stamp = cache.stamp();
        Optional<OpenedFile> file = openChecked(relativePath);
        if (file.isPresent() && file.get() instanceof LocalFile local) {
            cache.keep(relativePath, local, stamp);
        }
        return file;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: a file kept open for later requests ({@code open-cache-valid}) is closed and not
     * handed out again, and an open under way now is not kept.
     */
    @Override
    public void forget(String relativePath) {
        if (openFiles != null) {
            openFiles.forget(relativePath);
        }
    }

    /** The open itself: through the held directories, or a fresh walk, or by real path. */
    private Optional<OpenedFile> openChecked(String relativePath) throws IOException {
        if (secure) {
            try {
                Optional<OpenedFile> file = openThroughHeld(relativePath);
                if (file != null) {
                    return file;
                }
            } catch (ClosedDirectoryStreamException e) {
                // a held directory was closed under this request (evicted, or the storage closed): walk afresh
            }
            DirectoryStream<Path> top;
            try {
                top = Files.newDirectoryStream(rootDirectory);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            if (top instanceof SecureDirectoryStream<Path> walkable) {
                return walk(walkable, relativePath.split("/", -1), relativePath);
            }
            top.close();
            secure = false;
            LOG.log(Level.INFO, "{0}: the file system has no directory descriptors; checking real paths instead", root);
        }
        return openByRealPath(relativePath.split("/", -1), relativePath);
    }

    /**
     * The walk through directories held open, opening (and then holding) those not held yet.
     * {@code null} when it cannot be done that way here (the file system has no directory
     * descriptors, or a held directory did not match twice over); then the caller walks afresh.
     */
    private Optional<OpenedFile> openThroughHeld(String relativePath) throws IOException {
        SecureDirectoryStream<Path> dir = held.root(rootDirectory);
        if (dir == null) {
            return null;
        }
        int last = relativePath.lastIndexOf('/');
        if (last > 0) {
            // usually all held: every level checked from the top, and no path made per level
            SecureDirectoryStream<Path> deepest = held.deepest(relativePath.substring(0, last), dir);
            if (deepest != null) {
                return openFile(deepest, relativePath.substring(last + 1), relativePath);
            }
        }
        int start = 0;
        String parentPath = null;
        for (int end = relativePath.indexOf('/'); end >= 0;
             start = end + 1, end = relativePath.indexOf('/', start)) {
            String path = relativePath.substring(0, end);
            SecureDirectoryStream<Path> known = held.get(path, dir);
            if (known != null) {
                dir = known;
                parentPath = path;
                continue;
            }
            String segment = relativePath.substring(start, end);
            SecureDirectoryStream<Path> next = enter(dir, segment, relativePath);
            if (next == null) {
                return Optional.empty();
            }
            dir = held.hold(path, parentPath, dir, root.getFileSystem().getPath(segment), next);
            if (dir == null) {
                return null;
            }
            parentPath = path;
        }
        return openFile(dir, relativePath.substring(start), relativePath);
    }

    private Optional<OpenedFile> walk(SecureDirectoryStream<Path> top, String[] segments, String relativePath)
            throws IOException {
        SecureDirectoryStream<Path> dir = top;
        try {
            for (int i = 0; i < segments.length - 1; i++) {
                SecureDirectoryStream<Path> next = enter(dir, segments[i], relativePath);
                if (next == null) {
                    return Optional.empty();
                }
                SecureDirectoryStream<Path> parent = dir;
                dir = next;
                parent.close();
            }
            return openFile(dir, segments[segments.length - 1], relativePath);
        } finally {
            dir.close();
        }
    }

    /** The directory {@code name} below {@code dir}, or {@code null} when the walk ends here. */
    private SecureDirectoryStream<Path> enter(SecureDirectoryStream<Path> dir, String segment, String relativePath)
            throws IOException {
        Path name = root.getFileSystem().getPath(segment);
        BasicFileAttributes seen = look(dir, name);
        if (seen == null) {
            return null;
        }
        if (!seen.isDirectory()) {
            if (seen.isRegularFile()) {
                throw new FileSystemException(root + "/" + relativePath, null, "'" + segment
                        + "' on the way is a file, not a directory; the tree is damaged");
            }
            refused(relativePath, segment, seen);
            return null;
        }
        SecureDirectoryStream<Path> next;
        try {
            // "name/." follows a link at name, which the comparison below catches; but the kernel
            // refuses anything that is not a directory before opening it: no FIFO blocks here,
            // and no descriptor is lost to the JDK, which leaks one (and closes another twice) when
            // it opens a non-directory as a directory (seen on JDK 25; JDK 17 is fine).
            next = dir.newDirectoryStream(name.resolve("."), LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException | NotDirectoryException e) {
            changed(relativePath, segment);
            return null;
        } catch (FileSystemException e) {
            if (e instanceof AccessDeniedException || same(seen, look(dir, name))) {
                throw e;
            }
            changed(relativePath, segment);
            return null;
        }
        BasicFileAttributes opened;
        try {
            opened = next.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
        } catch (IOException | RuntimeException e) {
            next.close();
            throw e;
        }
        if (!same(seen, opened)) {
            next.close();
            // A link swapped in at name was followed to somewhere else: nothing there is read.
            LOG.log(Level.WARNING, "{0} below {1}: the directory ''{2}'' was replaced while it was opened"
                    + " (by a link?); not serving the file", relativePath, root, segment);
            return null;
        }
        return next;
    }

    private Optional<OpenedFile> openFile(SecureDirectoryStream<Path> dir, String segment, String relativePath)
            throws IOException {
        Path name = root.getFileSystem().getPath(segment);
        BasicFileAttributes seen = look(dir, name);
        if (seen == null) {
            return Optional.empty();
        }
        if (!seen.isRegularFile()) {
            refused(relativePath, segment, seen);
            return Optional.empty();
        }
        // Opening is the point: the blocked reader has had its writer.
        OpenRescue rescue = new OpenRescue(() -> dir.newByteChannel(name, RELEASE).close(), root, relativePath,
                openBoundNanos);
        SeekableByteChannel channel;
        Watchdog.Deadline deadline = watchdog.after(openBoundNanos, rescue);
        try {
            channel = dir.newByteChannel(name, READ);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (FileSystemException e) {
            // ELOOP: a link swapped in, which NOFOLLOW_LINKS refused. The exception's type does not
            // say so; the name's current state does, and if it was swapped back already, the JDK's
            // wording for ELOOP does.
            String reason = e.getReason();
            if (e instanceof AccessDeniedException
                    || same(seen, look(dir, name)) && (reason == null || !reason.endsWith("symbolic link"))) {
                throw e;
            }
            changed(relativePath, segment);
            return Optional.empty();
        } finally {
            deadline.cancel();
            rescue.returned();
        }
        return checked(channel, deadline, seen, () -> look(dir, name), relativePath, root);
    }

    /** What {@code look} says after the open must be what it said before; then the file is served. */
    private Optional<OpenedFile> checked(SeekableByteChannel channel, Watchdog.Deadline deadline,
                                         BasicFileAttributes seen, Look again, String relativePath, Path base)
            throws IOException {
        try {
            if (deadline.fired()) {
                // Whatever was opened was released by a writer: a FIFO, or worse. Never served.
                channel.close();
                return Optional.empty();
            }
            BasicFileAttributes now = again.look();
            if (now == null || !now.isRegularFile() || !same(seen, now) || !seekable(channel)) {
                channel.close();
                changed(relativePath, null);
                return Optional.empty();
            }
            return Optional.of(new LocalFile(channel, base, relativePath, channel.size(),
                    now.lastModifiedTime().toInstant()));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Whether what was opened is a file one can seek in: a FIFO cannot ({@code ESPIPE}). The name
     * may look the same before and after the open while a FIFO stood there just for the open,
     * released by some other writer; asking the opened descriptor itself is the only sure test.
     */
    private static boolean seekable(SeekableByteChannel channel) {
        try {
            channel.position();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private interface Look {
        BasicFileAttributes look() throws IOException;
    }

    /** {@code fstatat} without following a link; {@code null} when nothing has that name. */
    private static BasicFileAttributes look(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        try {
            return dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Without directory descriptors: the real path must be the root's plus the relative path. */
    private Optional<OpenedFile> openByRealPath(String[] segments, String relativePath) throws IOException {
        Path path = root;
        for (String segment : segments) {
            path = path.resolve(segment);
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (!real.equals(expected(realRoot, segments))) {
            Path current = root.toRealPath();
            realRoot = current;
            if (!real.equals(expected(current, segments))) {
                // The target is not logged: it may name something the operator wants kept private.
                LOG.log(Level.WARNING, "{0} below {1} is reached through a symbolic link{2}; links below the root"
                        + " are not followed", relativePath, root, real.startsWith(current) ? "" : " leading outside");
                return Optional.empty();
            }
        }
        BasicFileAttributes seen = lookAt(real);
        if (seen == null || !seen.isRegularFile()) {
            return Optional.empty();
        }
        OpenRescue rescue = new OpenRescue(() -> Files.newByteChannel(real, RELEASE).close(), real, null,
                openBoundNanos);
        SeekableByteChannel channel;
        Watchdog.Deadline deadline = watchdog.after(openBoundNanos, rescue);
        try {
            channel = Files.newByteChannel(real, READ);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (FileSystemException e) {
            if (e instanceof AccessDeniedException || same(seen, lookAt(real))) {
                throw e;
            }
            return Optional.empty();
        } finally {
            deadline.cancel();
            rescue.returned();
        }
        Path base = real;
        for (int i = 0; i < segments.length; i++) {
            base = base.getParent();
        }
        return checked(channel, deadline, seen, () -> lookAt(real), relativePath, base);
    }

    private static Path expected(Path realRoot, String[] segments) {
        if (realRoot == null) {
            return null;
        }
        Path path = realRoot;
        for (String segment : segments) {
            path = path.resolve(segment);
        }
        return path;
    }

    private static BasicFileAttributes lookAt(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The same file: same key (device and inode) where the file system has one, same type and time otherwise. */
    private static boolean same(BasicFileAttributes before, BasicFileAttributes after) {
        if (after == null || before.isDirectory() != after.isDirectory()
                || before.isRegularFile() != after.isRegularFile()) {
            return false;
        }
        Object key = before.fileKey();
        return key != null ? key.equals(after.fileKey()) : before.lastModifiedTime().equals(after.lastModifiedTime());
    }

    private void refused(String relativePath, String segment, BasicFileAttributes seen) {
        if (seen.isSymbolicLink()) {
            // The target is not logged: it may name something the operator wants kept private.
            LOG.log(Level.WARNING, "{0} below {1}: ''{2}'' is a symbolic link; links below the root are not followed",
                    relativePath, root, segment);
        } else {
            LOG.log(Level.DEBUG, "{0} below {1}: ''{2}'' is neither a regular file nor a directory (a FIFO, a"
                    + " socket, a device?); not opened", relativePath, root, segment);
        }
    }

    private void changed(String relativePath, String segment) {
        LOG.log(Level.DEBUG, "{0} below {1} changed while it was opened{2}; not serving it", relativePath, root,
                segment == null ? "" : " (at '" + segment + "')");
    }

    /**
     * Checks that {@code relativePath} is plain segments, which callers have checked by grammar
     * already; this is the second line. Reads it in place: a request splits nothing.
     */
    private static void check(String relativePath) {
        int start = 0;
        while (true) {
            int end = relativePath.indexOf('/', start);
            int stop = end < 0 ? relativePath.length() : end;
            int length = stop - start;
            if (length == 0 || length == 1 && relativePath.charAt(start) == '.'
                    || length == 2 && relativePath.startsWith("..", start)) {
                throw new IllegalArgumentException("relativePath must be /-separated names below the root,"
                        + " none empty, . or ..; was \"" + relativePath + "\"");
            }
            if (end < 0) {
                break;
            }
            start = end + 1;
        }
        if (relativePath.indexOf('\0') >= 0 || relativePath.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("relativePath must be /-separated names below the root,"
                    + " none empty, . or ..; was \"" + relativePath + "\"");
        }
    }

    /** Opens the root as a directory and closes it again, reading no entry. */
    @Override
    public boolean probe() throws IOException {
        Files.newDirectoryStream(root).close();
        return true;
    }

    @Override
    public String describe() {
        return "local " + root + (openFiles == null ? "" : " (open files kept " + openFiles.validMillis() + " ms)");
    }

    /**
     * Ends the thread that guards opens and closes the directories held open. Opens after this
     * fail with {@link IllegalStateException}.
     */
    @Override
    public void close() {
        try {
            if (openFiles != null) {
                openFiles.close();
            }
            held.close();
        } finally {
            watchdog.shutdown();
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    /** 4,096, or an eighth of the descriptors this process may open when that is less (never below 64). */
    private static int heldDirectoryLimit() {
        long descriptors = Long.MAX_VALUE;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            descriptors = unix.getMaxFileDescriptorCount();
        }
        return (int) Math.max(64, Math.min(4096, descriptors / 8));
    }

}
