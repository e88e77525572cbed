package io.keyhole;

import io.keyhole.testing.PublicApi;
import org.junit.jupiter.api.Test;

/**
 * Freezes the public API of keyhole-core: its public top-level types must be exactly those in
 * {@code core/src/test/resources/public-api.txt}, and public types in internal packages must say
 * which module needs them. After an intentional change, rewrite the lists of all modules with
 * <pre>{@code
 * ./mvnw -B -o -q verify -pl core,servlet,jetty-adapter,tomcat-adapter,cli -am \
 *     -Dtest=PublicApiTest -Dsurefire.failIfNoSpecifiedTests=false -Dkeyhole.updateApi=true
 * }</pre>
 * and review the diff ({@link PublicApi}).
 */
class PublicApiTest {

    @Test
    void publicTypesAreTheListedOnes() {
        PublicApi.check("keyhole-core", KeyholeConfig.class);
    }
}
