package io.keyhole.benchmarks;

import io.keyhole.storage.OpenedFile;
import io.keyhole.storage.Storage;
import io.keyhole.storage.StorageProvider;
import io.keyhole.storage.StorageSettings;
import java.io.ByteArrayInputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code storage=bench-no-disk}: every name is the same 4 KiB file, "opened" without a system
 * call. Only for {@link CachedDecisionBenchmark#decideCachedNoDisk}, which measures what Keyhole
 * spends on a request apart from the storage's open.
 */
public final class NoDiskStorage implements StorageProvider {

    static final String NAME = "bench-no-disk";

    private static final Instant MODIFIED = Instant.ofEpochSecond(1_700_000_000L);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Storage start(StorageSettings settings, int depth, Writes writes, Clock clock) {
        if (settings.openCache().on()) {
            throw new IllegalArgumentException("open-cache-valid: storage=" + NAME + " keeps nothing");
        }
        return new Storage() {
            @Override
            public Optional<OpenedFile> open(String relativePath) {
                return Optional.of(new Opened(relativePath));
            }

            @Override
            public String describe() {
                return NAME;
            }

            @Override
            public void close() {
            }
        };
    }

    private record Opened(String relativePath) implements OpenedFile {
        @Override
        public long size() {
            return 4096;
        }

        @Override
        public Instant lastModified() {
            return MODIFIED;
        }

        @Override
        public ReadableByteChannel range(long first, long length) {
            return Channels.newChannel(new ByteArrayInputStream(new byte[(int) length]));
        }

        @Override
        public void close() {
        }
    }
}
