package io.keyhole.storage;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Files {@link LocalStorage} opened and checked, kept open for a while so that the next request
 * for the same file opens nothing ({@code open-cache-valid}, {@code open-cache-size}; like nginx's
 * {@code open_file_cache}). What is handed out was opened inside the root and checked then; it is
 * not looked at again until its time is up, so a file replaced or removed behind Keyhole's back
 * is served as it was for at most that long. A file written or deleted through this instance is
 * forgotten at once ({@link #forget}), and an open that was under way meanwhile is not kept.
 * Thread-safe.
 */
final class OpenFiles implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(OpenFiles.class.getName());

    /** The cache's own view of a file (which keeps its descriptor open), and when it was opened. */
    private record Kept(LocalFile file, Instant until) {
    }

    private final Duration valid;
    private final int max;
    private final Clock clock;
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    /** Counts {@link #forget}s: an open that saw another count before it began is not kept. */
    private final AtomicLong forgets = new AtomicLong();
    private volatile boolean closed;

    OpenFiles(Duration valid, int max, Clock clock) {
        this.valid = valid;
        this.max = max;
        this.clock = clock;
    }

    /** How long a file is kept, in milliseconds. */
    long validMillis() {
        return valid.toMillis();
    }

    /** What {@link #keep} compares: read before a file is opened. */
    long stamp() {
        return forgets.get();
    }

    /** A new view of the file kept for {@code relativePath} while its time lasts; {@code null} otherwise. */
    LocalFile get(String relativePath) {
        Kept k = kept.get(relativePath);
        if (k == null) {
            return null;
        }
        if (clock.instant().isBefore(k.until())) {
            LocalFile view = k.file().share();
            if (view != null) {
                return view;
            }
        }
        drop(relativePath, k);
        return null;
    }

    /**
     * Keeps {@code opened}, just opened and checked for {@code relativePath} by an open that began
     * when {@link #stamp()} said {@code stamp}; not when anything was forgotten since.
     */
    void keep(String relativePath, LocalFile opened, long stamp) {
        if (closed || forgets.get() != stamp) {
            return;
        }
        LocalFile mine = opened.share();
        if (mine == null) {
            return;
        }
        if (kept.size() >= max) {
            evict();
        }
        Kept k = new Kept(mine, clock.instant().plus(valid));
        Kept before = kept.put(relativePath, k);
        if (before != null) {
            release(before);
        }
        if (closed || forgets.get() != stamp) {
            drop(relativePath, k);
        }
    }

    /** {@code relativePath} was written or deleted here: nothing kept for it is handed out again. */
    void forget(String relativePath) {
        forgets.incrementAndGet();
        Kept k = kept.remove(relativePath);
        if (k != null) {
            release(k);
        }
    }

    /** How many files are kept. */
    int size() {
        return kept.size();
    }

    /** Closes every kept file; files handed out stay readable until their requests close them. */
    @Override
    public void close() {
        closed = true;
        for (Iterator<Map.Entry<String, Kept>> all = kept.entrySet().iterator(); all.hasNext(); ) {
            Map.Entry<String, Kept> e = all.next();
            all.remove();
            release(e.getValue());
        }
    }

    /** Makes room for an eighth: expired files first, then whichever come first. */
    private void evict() {
        int excess = Math.max(1, max / 8);
        Instant now = clock.instant();
        for (int pass = 0; pass < 2 && excess > 0; pass++) {
            for (Iterator<Map.Entry<String, Kept>> all = kept.entrySet().iterator(); excess > 0 && all.hasNext(); ) {
                Map.Entry<String, Kept> e = all.next();
                if ((pass == 1 || !now.isBefore(e.getValue().until())) && drop(e.getKey(), e.getValue())) {
                    excess--;
                }
            }
        }
    }

    private boolean drop(String relativePath, Kept k) {
        if (kept.remove(relativePath, k)) {
            release(k);
            return true;
        }
        return false;
    }

    private static void release(Kept k) {
        try {
            k.file().close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing a kept file failed: {0}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "OpenFiles[" + kept.size() + " of " + max + ", valid " + valid + (closed ? ", closed" : "") + "]";
    }
}
