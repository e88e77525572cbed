package io.keyhole.internal.s3;

import io.keyhole.testing.PublicApi;
import org.junit.jupiter.api.Test;

/**
 * Freezes the public API of keyhole-s3, which has none: its one public type is the provider
 * {@link java.util.ServiceLoader} finds, listed with that reason in
 * {@code s3/src/test/resources/public-api.txt} ({@link PublicApi}).
 */
class PublicApiTest {

    @Test
    void publicTypesAreTheListedOnes() {
        PublicApi.check("keyhole-s3", S3StorageProvider.class);
    }
}
