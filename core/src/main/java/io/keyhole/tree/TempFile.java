package io.keyhole.tree;

import io.keyhole.internal.Logs;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file being written in the directory where it will end up, named
 * {@code .keyhole-<pid>-<n>.tmp} (never a valid id: ids start with a hex digit).
 *
 * <p>Its writer holds an exclusive lock on it for as long as the name exists. The kernel drops
 * the lock when the writer dies, however it dies, so a temp file nobody holds is a leftover and
 * may go, while one that is locked belongs to a store still running. Within this JVM the lock
 * alone cannot tell (POSIX locks belong to the process, and closing any descriptor of a file
 * drops them), so the files this JVM is writing are also kept in {@link #ACTIVE} and never
 * opened by a cleaner here.
 */
final class TempFile implements Closeable {

    static final String PREFIX = ".keyhole-";
    static final String SUFFIX = ".tmp";

    private static final System.Logger LOG = Logs.of(TempFile.class);
    private static final Set<Path> ACTIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    private final Path path;
    private final FileChannel channel;

    private TempFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Whether a file name is that of a temp file. */
    static boolean isTempName(String name) {
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX);
    }

    /** Creates and locks a new temp file in {@code dir}. */
    static TempFile create(Path dir) throws IOException {
        while (true) {
            Path path = dir.resolve(PREFIX + PID + "-" + SEQUENCE.incrementAndGet() + SUFFIX);
            // Registered before it exists, so no cleaner in this JVM ever opens it.
            ACTIVE.add(path);
            FileChannel channel;
            try {
                channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                // A leftover of an earlier process that had the same pid: take the next number.
                ACTIVE.remove(path);
                continue;
            } catch (IOException | RuntimeException e) {
                ACTIVE.remove(path);
                throw e;
            }
            try {
                if (lockAndVerify(path, channel)) {
                    return new TempFile(path, channel);
                }
                // A cleaner elsewhere took it for a leftover before the lock was ours: start again.
                channel.close();
                ACTIVE.remove(path);
            } catch (IOException | RuntimeException e) {
                try {
                    Files.deleteIfExists(path);
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                } finally {
                    ACTIVE.remove(path);
                }
                throw e;
            }
        }
    }

    /**
     * Locks the new file and checks the name still leads to it: between creating and locking,
     * a cleaner in another process may have seen an unlocked temp file and removed it.
     */
    private static boolean lockAndVerify(Path path, FileChannel channel) throws IOException {
        Object before;
        try {
            before = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException e) {
            return false;
        }
        try {
            channel.lock();
        } catch (IOException e) {
            // Some network and FUSE file systems have no locks; the store still works, but a
            // cleaner cannot tell this file from a leftover (it reports it and leaves it alone).
            LOG.log(Level.DEBUG, "cannot lock {0}: {1}", path, e.toString());
            return true;
        }
        try {
            Object after = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return Objects.equals(before, after);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    Path path() {
        return path;
    }

    FileChannel channel() {
        return channel;
    }

    /**
     * Removes the name (if still there) and then closes the file, which drops the lock: the lock
     * outlives the name, so a cleaner never sees this name unlocked.
     */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(path);
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                // Everything written was flushed before; failing a finished store over it would
                // leave a stored file whose id the caller never learns.
                LOG.log(Level.WARNING, "closing {0} failed after its content was flushed: {1}", path, e.toString());
            } finally {
                ACTIVE.remove(path);
            }
        }
    }

    /** What a cleaner finds about a temp file. */
    enum State {
        /** A store is writing it. */
        IN_USE,
        /** Nobody holds it: a leftover. */
        LEFTOVER,
        /** It went away while looking. */
        GONE,
        /** The file system cannot lock, or the file cannot be opened: no way to tell. */
        UNKNOWN
    }

    /** Whether a store is still writing {@code path}. */
    static State probe(Path path) {
        return inspect(path, false);
    }

    /** Removes {@code path} if it is a leftover; returns what it was. */
    static State removeIfLeftover(Path path) {
        return inspect(path, true);
    }

    private static State inspect(Path path, boolean remove) {
        if (ACTIVE.contains(path)) {
            return State.IN_USE;
        }
        // Read access and a shared lock suffice to find out, so a checker needs no write permission.
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, true);
            } catch (OverlappingFileLockException e) {
                return State.IN_USE;
            }
            if (lock == null) {
                return State.IN_USE;
            }
            // While this lock is held no writer can be between creating and verifying the file.
            if (remove) {
                return Files.deleteIfExists(path) ? State.LEFTOVER : State.GONE;
            }
            return State.LEFTOVER;
        } catch (NoSuchFileException e) {
            return State.GONE;
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot tell whether {0} is in use: {1}", path, e.toString());
            return State.UNKNOWN;
        }
    }
}
