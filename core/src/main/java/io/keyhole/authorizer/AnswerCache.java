package io.keyhole.authorizer;

import io.keyhole.AuthResponse;
import io.keyhole.FileId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recorded answers kept in memory ({@code internal-cache-size}): bounded by the bytes of their
 * JSON plus a fixed overhead per entry, the least recently used going first. Only this instance's
 * own writes update it; a tree written by other processes needs it off. Thread-safe.
 */
final class AnswerCache {

    /** What an entry costs beyond its JSON: the map node, the id, the parsed answer. */
    static final int ENTRY_OVERHEAD = 256;

    private record Entry(AuthResponse answer, long cost) {
    }

    private final long capacity;
    private final LinkedHashMap<FileId, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long used;

    AnswerCache(long capacityBytes) {
        if (capacityBytes < 1) {
            throw new IllegalArgumentException("a cache needs at least 1 byte, was " + capacityBytes);
        }
        this.capacity = capacityBytes;
    }

    long capacity() {
        return capacity;
    }

    synchronized AuthResponse get(FileId id) {
        Entry entry = entries.get(id);
        return entry == null ? null : entry.answer();
    }

    synchronized void put(FileId id, AuthResponse answer, int jsonBytes) {
        long cost = (long) jsonBytes + ENTRY_OVERHEAD;
        Entry old = entries.remove(id);
        if (old != null) {
            used -= old.cost();
        }
        if (cost > capacity) {
            return;
        }
        entries.put(id, new Entry(answer, cost));
        used += cost;
        for (Iterator<Map.Entry<FileId, Entry>> it = entries.entrySet().iterator(); used > capacity && it.hasNext(); ) {
            used -= it.next().getValue().cost();
            it.remove();
        }
    }

    synchronized void remove(FileId id) {
        Entry old = entries.remove(id);
        if (old != null) {
            used -= old.cost();
        }
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized long usedBytes() {
        return used;
    }
}
