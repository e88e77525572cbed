package io.keyhole.internal.s3;

import io.keyhole.storage.Storage;
import io.keyhole.storage.StorageProvider;
import io.keyhole.storage.StorageSettings;
import java.time.Clock;

/**
 * Offers {@code storage=s3}: an S3-compatible bucket holding the hashed tree. Found by
 * {@link java.util.ServiceLoader}; users never call it.
 */
public final class S3StorageProvider implements StorageProvider {

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public Storage start(StorageSettings settings, int depth, Writes writes, Clock clock) {
        return new BucketStorage(BucketSettings.of(settings), depth, writes, KeptObjects.of(settings.openCache(), clock));
    }
}
