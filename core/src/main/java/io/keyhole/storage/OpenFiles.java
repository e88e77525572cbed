package io.keyhole.storage;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
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
 *
 * <p>A file of up to {@link #LARGEST_CONTENT} bytes is also held in memory from the first time
 * its body is read, through the descriptor just opened, so that streaming it again makes no
 * system call ({@link LocalFile#keepInMemory}); at most {@link #MOST_CONTENT_BYTES} (or a
 * sixteenth of the heap) are set aside in all, beyond which files are kept open without their
 * bytes. The bytes kept are those of the file opened and checked, matching the size and date read
 * then, whatever is later written at its name.
 *
 * <p>Thread-safe.
 */
final class OpenFiles implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(OpenFiles.class.getName());

    /**
     * The largest file whose bytes are kept in memory: below it a container streams the body
     * (above, Tomcat hands the file to sendfile and Jetty maps or reads it directly), and a
     * page's icons, thumbnails and scripts are this small.
     */
    static final int LARGEST_CONTENT = 48 * 1024;
    /** The most bytes kept in memory in all, unless a sixteenth of the heap is less. */
    static final long MOST_CONTENT_BYTES = 32L << 20;

    /**
     * The cache's own view of a file (which keeps its descriptor open), until when (the clock's
     * milliseconds: read on every request, {@link Clock#millis()} allocates nothing), and how many
     * of its bytes are kept in memory with it. Equal only to itself: {@link #drop} removes this
     * very entry, never a later one for the same file.
     */
    private record Kept(LocalFile file, long until, int contentBytes) {
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    private final Duration valid;
    private final int max;
    private final Clock clock;
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    private final long maxContentBytes;
    /** The bytes set aside for files held in memory now. */
    private final AtomicLong contentBytes = new AtomicLong();
    /** Counts {@link #forget}s: an open that saw another count before it began is not kept. */
    private final AtomicLong forgets = new AtomicLong();
    private volatile boolean closed;

    OpenFiles(Duration valid, int max, Clock clock) {
        this(valid, max, clock, Math.min(MOST_CONTENT_BYTES, Runtime.getRuntime().maxMemory() / 16));
    }

    OpenFiles(Duration valid, int max, Clock clock, long maxContentBytes) {
        this.valid = valid;
        this.max = max;
        this.clock = clock;
        this.maxContentBytes = maxContentBytes;
    }

    /** The bytes set aside now for files held in memory. */
    long contentBytes() {
        return contentBytes.get();
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
        if (clock.millis() < k.until()) {
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
        Kept k = new Kept(mine, clock.millis() + valid.toMillis(), reserveContent(mine));
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
        long now = clock.millis();
        for (int pass = 0; pass < 2 && excess > 0; pass++) {
            for (Iterator<Map.Entry<String, Kept>> all = kept.entrySet().iterator(); excess > 0 && all.hasNext(); ) {
                Map.Entry<String, Kept> e = all.next();
                if ((pass == 1 || now >= e.getValue().until()) && drop(e.getKey(), e.getValue())) {
                    excess--;
                }
            }
        }
    }

    /**
     * Has a small file's bytes held in memory once first read, while the budget allows; the bytes
     * set aside for it, or 0 when it stays on disk only (too large, or no room).
     */
    private int reserveContent(LocalFile file) {
        long size = file.size();
        if (size > LARGEST_CONTENT) {
            return 0;
        }
        if (contentBytes.addAndGet(size) > maxContentBytes) {
            contentBytes.addAndGet(-size);
            return 0;
        }
        file.keepInMemory();
        return (int) size;
    }

    private boolean drop(String relativePath, Kept k) {
        if (kept.remove(relativePath, k)) {
            release(k);
            return true;
        }
        return false;
    }

    private void release(Kept k) {
        contentBytes.addAndGet(-k.contentBytes());
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
