package io.keyhole.storage;

import io.keyhole.internal.Settings;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where the hashed tree is kept: {@code local} (the directory {@code fs-root}, the default) or a
 * storage found on the class path by name, such as {@code s3} from {@code keyhole-s3}
 * ({@link StorageProvider}). A value: the storage itself is started by {@code Keyhole} and closed
 * with it.
 *
 * @param kind       {@code local}, or the {@linkplain StorageProvider#name() name} of a provider
 * @param timeout    the most one request to a remote storage may take before the download fails
 *                   with 504 ({@code storage-timeout})
 * @param presignTtl how long a presigned URL of {@code delivery=redirect} stays valid ({@code presign-ttl})
 * @param options    the provider's own keys and their text values, e.g. {@code s3-bucket}; secrets
 *                   already read from {@code file:} or {@code env:}. Never printed.
 * @param openCache  how long the storage keeps what it opened for the next requests for it
 *                   ({@code open-cache-valid}; zero: none), and how many at most ({@code open-cache-size}):
 *                   the local tree keeps files open, a bucket keeps small objects in memory; a
 *                   provider that keeps nothing refuses it ({@link StorageProvider#start})
 */
public record StorageSettings(String kind, Duration timeout, Duration presignTtl, Map<String, String> options,
                              OpenCache openCache) {

    /**
     * Files kept between requests, as nginx's {@code open_file_cache}: a file kept is handed out
     * again without looking at the storage for {@code valid}.
     *
     * @param valid how long; zero keeps none (the default)
     * @param size  most files kept (the local tree: one descriptor each)
     */
    public record OpenCache(Duration valid, int size) {
        /** Nothing kept: every request opens its file. */
        public static final OpenCache OFF = new OpenCache(Duration.ZERO, DEFAULT_OPEN_CACHE_SIZE);

        public OpenCache {
            Objects.requireNonNull(valid, "valid");
            if (valid.isNegative()) {
                throw new IllegalArgumentException("open-cache-valid must not be negative, was " + valid);
            }
            if (size < 1) {
                throw new IllegalArgumentException("open-cache-size must be at least 1, was " + size);
            }
        }

        /** Whether files are kept. */
        public boolean on() {
            return !valid.isZero();
        }
    }

    /** The kind of the local tree. */
    public static final String LOCAL = "local";
    /** {@code storage-timeout} when unset. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** {@code presign-ttl} when unset. */
    public static final Duration DEFAULT_PRESIGN_TTL = Duration.ofSeconds(60);
    /** {@code open-cache-size} when unset. */
    public static final int DEFAULT_OPEN_CACHE_SIZE = 1000;
    /** The local tree, as when nothing is said. */
    public static final StorageSettings DEFAULT = new StorageSettings(LOCAL, DEFAULT_TIMEOUT, DEFAULT_PRESIGN_TTL, Map.of(),
            OpenCache.OFF);

    public StorageSettings {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(presignTtl, "presignTtl");
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
        Objects.requireNonNull(openCache, "openCache");
        if (kind.equals(LOCAL) && !options.isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", options.keySet()) + " need a remote storage, e.g."
                    + " storage=s3; storage is " + LOCAL);
        }
    }

    /** Whether the tree is the local directory {@code fs-root}. */
    public boolean local() {
        return kind.equals(LOCAL);
    }

    /**
     * A provider's option, trimmed; {@code null} when unset.
     *
     * @param key the option's key, e.g. {@code s3-bucket}
     */
    public String option(String key) {
        String v = options.get(key);
        return v == null ? null : v.strip();
    }

    /** Names the kind and the options that are set, never their values (some are secrets). */
    @Override
    public String toString() {
        return "storage " + kind + " (timeout " + timeout.toMillis() + " ms, options " + options.keySet()
                + (openCache.on() ? ", files kept " + openCache.valid().toMillis() + " ms" : "") + ")";
    }

    /** Collects the storage settings for {@code KeyholeConfig.Builder}; each may be made once. */
    public static final class Builder {
        private String kind = LOCAL;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration presignTtl = DEFAULT_PRESIGN_TTL;
        private final Map<String, String> options = new LinkedHashMap<>();
        private Duration openCacheValid = Duration.ZERO;
        private int openCacheSize = DEFAULT_OPEN_CACHE_SIZE;

        /** {@code storage}: {@code local} or a provider's name such as {@code s3}. */
        public Builder kind(String kind) {
            this.kind = Settings.token("storage", Objects.requireNonNull(kind, "storage")).toLowerCase(java.util.Locale.ROOT);
            return this;
        }

        /** {@code storage-timeout}: positive. */
        public Builder timeout(Duration timeout) {
            this.timeout = positive("storage-timeout", timeout);
            return this;
        }

        /** {@code presign-ttl}: positive, at most 7 days (what S3 signatures allow). */
        public Builder presignTtl(Duration ttl) {
            positive("presign-ttl", ttl);
            if (ttl.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("presign-ttl must be at most 7 days (168h, what a signature can carry), was " + ttl);
            }
            this.presignTtl = ttl;
            return this;
        }

        /** {@code open-cache-valid}: zero (none kept) or positive. */
        public Builder openCacheValid(Duration valid) {
            this.openCacheValid = Objects.requireNonNull(valid, "open-cache-valid");
            return this;
        }

        /** {@code open-cache-size}: at least 1. */
        public Builder openCacheSize(int size) {
            this.openCacheSize = size;
            return this;
        }

        /** One of the provider's options, e.g. {@code s3-bucket}. */
        public Builder option(String key, String value) {
            if (options.putIfAbsent(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, key)) != null) {
                throw new IllegalStateException("'" + key + "' was already set");
            }
            return this;
        }

        public StorageSettings build() {
            return new StorageSettings(kind, timeout, presignTtl, options, new OpenCache(openCacheValid, openCacheSize));
        }

        private static Duration positive(String key, Duration d) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(key + " must be a positive duration, was " + d);
            }
            return d;
        }
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }
}
