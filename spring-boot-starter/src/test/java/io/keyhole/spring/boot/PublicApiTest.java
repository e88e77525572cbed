package io.keyhole.spring.boot;

import io.keyhole.testing.PublicApi;
import org.junit.jupiter.api.Test;

/**
 * Freezes the public API of keyhole-spring-boot-starter: its public top-level types must be
 * exactly those in {@code spring-boot-starter/src/test/resources/public-api.txt}. After an
 * intentional change rewrite the list with {@code -Dkeyhole.updateApi=true} and review the diff.
 */
class PublicApiTest {

    @Test
    void publicTypesAreTheListedOnes() {
        PublicApi.check("keyhole-spring-boot-starter", KeyholeAutoConfiguration.class);
    }
}
