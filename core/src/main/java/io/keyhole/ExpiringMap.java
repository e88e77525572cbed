package io.keyhole;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A bounded map whose values expire at an instant the caller gives, read against the time the
 * caller passes in (so a {@link java.time.Clock} decides, and tests never sleep). When full, a put
 * first drops the expired entries, then, if that was not enough, a tenth of the others. The bound
 * may be overshot by the puts that run while one thread evicts. Thread-safe.
 */
final class ExpiringMap<K, V> {

    private record Entry<V>(V value, long expiresMillis) {
    }

    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final int size;
    private final ReentrantLock evicting = new ReentrantLock();

    /** @param size the most entries kept */
    ExpiringMap(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1, was " + size);
        }
        this.size = size;
    }

    /** The value for {@code key} while {@code nowMillis} is before its expiry; else {@code null}, and it is dropped. */
    V get(K key, long nowMillis) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (nowMillis < entry.expiresMillis()) {
            return entry.value();
        }
        entries.remove(key, entry);
        return null;
    }

    /**
     * Keeps {@code value} until {@code expiresMillis}, unless {@code stillValid} says no once it is
     * in (a revocation raced with the put); then it is taken out again.
     */
    void put(K key, V value, long nowMillis, long expiresMillis, BooleanSupplier stillValid) {
        if (expiresMillis <= nowMillis) {
            return;
        }
        if (entries.size() >= size) {
            evict(nowMillis);
        }
        Entry<V> entry = new Entry<>(value, expiresMillis);
        entries.put(key, entry);
        if (!stillValid.getAsBoolean()) {
            entries.remove(key, entry);
        }
    }

    /** Drops every entry whose key matches. */
    void removeIf(Predicate<K> key) {
        entries.keySet().removeIf(key);
    }

    void clear() {
        entries.clear();
    }

    /** Entries held, expired ones included until they are looked up or evicted. */
    int size() {
        return entries.size();
    }

    private void evict(long nowMillis) {
        if (!evicting.tryLock()) {
            return;
        }
        try {
            entries.values().removeIf(e -> nowMillis >= e.expiresMillis());
            int excess = entries.size() - size * 9 / 10;
            for (Iterator<K> keys = entries.keySet().iterator(); excess > 0 && keys.hasNext(); excess--) {
                keys.next();
                keys.remove();
            }
        } finally {
            evicting.unlock();
        }
    }
}
