package io.keyhole.internal.s3;

import io.keyhole.storage.StorageSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Small objects of the bucket kept in memory between requests ({@code open-cache-valid},
 * {@code open-cache-size}), with what the answer said of them (size, {@code Last-Modified}, ETag),
 * so that a download asked again within {@code open-cache-valid} makes no request to the bucket.
 * Objects up to {@link #LARGEST} bytes are kept, at most {@code open-cache-size} of them and at
 * most {@link #maxBytes()} bytes in all; larger objects never.
 *
 * <p>What is kept is not looked at again until its time is up, so an object replaced or deleted
 * in the bucket by anyone else is served as it was for at most that long. One written or deleted
 * through this instance is forgotten at once ({@link #forget}), and a read under way meanwhile
 * is not kept: {@link #stamp()} is read before the request to the bucket and compared by
 * {@link #keep}, as the local tree's open files do.
 *
 * <p>Thread-safe: lookups take no lock; keeping and forgetting take this object's.
 */
final class KeptObjects {

    /** The largest object kept: a page's images, scripts and thumbnails, not its videos. */
    static final int LARGEST = 256 * 1024;
    /** The most kept in all, unless an eighth of the heap is less. */
    static final long MOST_BYTES = 64L << 20;

    /** One object's bytes and metadata, and until when they are handed out. */
    record Kept(byte[] bytes, Instant lastModified, String etag, Instant until) {
    }

    private final Duration valid;
    private final int maxEntries;
    private final long maxBytes;
    private final Clock clock;
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    /** The bytes of {@link #kept}; changed under this object's lock. */
    private long bytes;
    /** Counts {@link #forget}s: a read that saw another count before it began is not kept. */
    private final AtomicLong forgets = new AtomicLong();

    KeptObjects(Duration valid, int maxEntries, long maxBytes, Clock clock) {
        if (valid.isZero() || valid.isNegative() || maxEntries < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("keeping objects for " + valid + ", at most " + maxEntries
                    + " and " + maxBytes + " bytes");
        }
        this.valid = valid;
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    /** The objects {@code cache} asks for, or {@code null} when it is off. */
    static KeptObjects of(StorageSettings.OpenCache cache, Clock clock) {
        return cache.on() ? new KeptObjects(cache.valid(), cache.size(), defaultMaxBytes(), clock) : null;
    }

    /** {@link #MOST_BYTES}, or an eighth of the heap when that is less. */
    static long defaultMaxBytes() {
        return Math.min(MOST_BYTES, Runtime.getRuntime().maxMemory() / 8);
    }

    /** The most bytes kept in all. */
    long maxBytes() {
        return maxBytes;
    }

    /** Whether an object of {@code size} bytes would be kept. */
    boolean fits(long size) {
        return size <= LARGEST && size <= maxBytes;
    }

    /** What {@link #keep} compares: read before the bucket is asked. */
    long stamp() {
        return forgets.get();
    }

    /** What is kept for {@code relativePath} while its time lasts; {@code null} otherwise. */
    Kept get(String relativePath) {
        Kept k = kept.get(relativePath);
        if (k == null) {
            return null;
        }
        if (clock.instant().isBefore(k.until())) {
            return k;
        }
        synchronized (this) {
            drop(relativePath, k);
        }
        return null;
    }

    /**
     * Keeps an object just read whole for {@code relativePath} by a read that began when
     * {@link #stamp()} said {@code stamp}; not when anything was forgotten since, nor when it
     * does not {@linkplain #fits fit}. Older objects make room: expired ones first.
     */
    synchronized void keep(String relativePath, byte[] content, Instant lastModified, String etag, long stamp) {
        if (forgets.get() != stamp || !fits(content.length)) {
            return;
        }
        Kept before = kept.remove(relativePath);
        if (before != null) {
            bytes -= before.bytes().length;
        }
        if (kept.size() >= maxEntries || bytes + content.length > maxBytes) {
            evict(content.length);
        }
        kept.put(relativePath, new Kept(content, lastModified, etag, clock.instant().plus(valid)));
        bytes += content.length;
    }

    /** {@code relativePath} was written or deleted here: nothing kept for it is handed out again. */
    synchronized void forget(String relativePath) {
        forgets.incrementAndGet();
        Kept k = kept.remove(relativePath);
        if (k != null) {
            bytes -= k.bytes().length;
        }
    }

    /** How many objects are kept. */
    int size() {
        return kept.size();
    }

    /** How many bytes are kept. */
    synchronized long bytes() {
        return bytes;
    }

    /** Drops everything. */
    synchronized void clear() {
        kept.clear();
        bytes = 0;
    }

    /**
     * Makes room for one more object of {@code coming} bytes, and for an eighth of the entries
     * when they are full: expired objects first, then whichever come first.
     */
    private void evict(int coming) {
        int excess = kept.size() >= maxEntries ? Math.max(1, maxEntries / 8) : 0;
        Instant now = clock.instant();
        for (int pass = 0; pass < 2 && (excess > 0 || bytes + coming > maxBytes); pass++) {
            for (Iterator<Map.Entry<String, Kept>> all = kept.entrySet().iterator();
                 (excess > 0 || bytes + coming > maxBytes) && all.hasNext(); ) {
                Map.Entry<String, Kept> e = all.next();
                if ((pass == 1 || !now.isBefore(e.getValue().until())) && drop(e.getKey(), e.getValue())) {
                    excess--;
                }
            }
        }
    }

    /** Under the lock. */
    private boolean drop(String relativePath, Kept k) {
        if (kept.remove(relativePath, k)) {
            bytes -= k.bytes().length;
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "KeptObjects[" + kept.size() + " of " + maxEntries + ", " + bytes() + " of " + maxBytes
                + " bytes, valid " + valid + "]";
    }
}
